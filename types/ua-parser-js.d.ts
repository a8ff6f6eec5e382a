/**
 * ua-parser-js 1.x ships no types (2.x does, under the AGPL); this is the
 * part of its API server/account/session-list.ts uses.
 */
declare module "ua-parser-js" {
  type Named = { name?: string; version?: string };
  export type UAParserResult = { ua: string; browser: Named & { major?: string }; os: Named; device: { model?: string; type?: string; vendor?: string } };
  export default class UAParser {
    constructor(userAgent?: string);
    getResult(): UAParserResult;
  }
}
