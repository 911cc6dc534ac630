#!/bin/sh
# Prisma 7's CLI wants a schema-engine binary even for `generate`; none can be downloaded here.
# This stub satisfies `generate`/`validate`/`format`. Migrations run through `npm run db:migrate`.
if [ "$1" = "--version" ]; then echo "schema-engine-cli 0.0.0-offline-stub"; exit 0; fi
echo "The schema engine is not available offline: use npm run db:migrate" >&2
exit 1
