import "server-only";
/** A reason a source could not be read, worded for the person who added it (shown on the Knowledge tab). */
export class ExtractionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ExtractionError";
  }
}
