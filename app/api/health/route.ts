import { NextResponse } from "next/server";
import { db } from "@/lib/db";

export const dynamic = "force-dynamic";

// GET /api/health - liveness for process supervisors; no personal data, no authentication.
export async function GET() {
  try {
    await db().accessLogHead.findUnique({ where: { id: 1 }, select: { id: true } });
    return NextResponse.json({ ok: true });
  } catch {
    return NextResponse.json({ ok: false, error: "console database unavailable" }, { status: 503 });
  }
}
