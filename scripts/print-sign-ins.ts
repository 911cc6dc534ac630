// Prints the demo's sign-ins and a short list of demo people to try, from demo:generate's JSON
// summary (scripts/demo.sh).
import fs from "node:fs";
import { formatDemoSubjects } from "@/lib/demo/subjects-list";
import type { SubjectReport } from "@/lib/demo/subjects-report";

type SignIn = { role: string; email: string; password: string; totpSecret: string };
const summary = JSON.parse(fs.readFileSync(process.argv[2], "utf8")) as { signIns: SignIn[]; subjectsFile: string };
const url = process.env.NEXTAUTH_URL ?? "http://127.0.0.1:3100";

if (fs.existsSync(summary.subjectsFile)) {
  const people = JSON.parse(fs.readFileSync(summary.subjectsFile, "utf8")) as SubjectReport[];
  for (const line of formatDemoSubjects(people)) console.log(line);
  console.log();
}
console.log(`Custodian demo: ${url}`);
console.log("Sign in with e-mail, password and a current 6-digit code from the TOTP secret");
console.log("(add the secret to any authenticator app, or run: npm run cli -- demo:code <secret>).\n");
for (const s of summary.signIns) {
  console.log(`  ${s.role.padEnd(8)} ${s.email.padEnd(24)} password ${s.password}   TOTP secret ${s.totpSecret}`);
}
