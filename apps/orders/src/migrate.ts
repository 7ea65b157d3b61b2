// Release command: `node dist/migrate.js` brings the database schema up to date before a rollout
// (the manifest's `release.command`). Everything testable lives in migrations.ts, which loads
// neither the HTTP server nor the S3 client.
import { migrateMain } from "./migrations";

void migrateMain();
