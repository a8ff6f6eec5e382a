import "server-only";
/** 100 KB of UTF-8: longer pastes belong in the knowledge vault, not a chat turn. */
export const MAX_MESSAGE_BYTES = 100 * 1024;
export const MAX_TITLE_CHARS = 120;
