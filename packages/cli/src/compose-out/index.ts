/** `berth compose`: the catalogue as a Docker Compose file, to run its services locally. */
export {
  type ComposeOptions,
  composeCommand,
  DEFAULT_COMPOSE_ENV,
  DEFAULT_REGION,
  regionOf,
  runCompose,
} from "./command.js";
export {
  ComposeError,
  type ComposeInput,
  type ComposeResult,
  composeFile,
  DEFAULT_PORT,
  FIRST_HOST_PORT,
  JOBS_PROFILE,
  literal,
  SECRET_PLACEHOLDER,
} from "./generate.js";
export {
  LOCAL_AWS_CREDENTIALS,
  LOCAL_IMAGES,
  LOCAL_POSTGRES,
  S3_SERVICE,
  SQS_SERVICE,
  VOLUMES_DIR,
  VOLUMES_SERVICE,
} from "./local.js";
export type { ComposeFile, ComposeService } from "./model.js";
export { renderCompose } from "./render.js";
