import "server-only";
// One import per area that registers boot tasks or workers (see server/boot.ts).
import "./mail/worker";
import "./knowledge/worker";
import "./handover/worker";
import "./chat/worker";
import "./billing/workers";
