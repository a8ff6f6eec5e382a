import "server-only";

/** What the registry shows about a LoRA, read from its safetensors header (and adapter_config.json). */
export type LoraFacts = {
  rank: number;
  alpha: number | null;
  targetModules: string[];
  tensorCount: number;
  /** from adapter_config.json's base_model_name_or_path or the header's metadata, when either says */
  baseModel: string | null;
};

/** A file that is not a LoRA we can use; the message is for the person who uploaded it. */
export class NotALoraError extends Error {}

/** The largest header we read: real LoRA headers are kilobytes; the format allows 100 MB. */
export const MAX_HEADER_BYTES = 100 * 1024 * 1024;

const DTYPES = new Set(["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]);

type TensorEntry = { dtype: string; shape: number[]; data_offsets: [number, number] };

/** The header length from a safetensors file's first 8 bytes (little-endian u64). */
export function headerLength(first8: Uint8Array): number {
  if (first8.byteLength < 8) throw new NotALoraError("The file is shorter than 8 bytes, so it is not a safetensors file.");
  const length = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (length === 0n || length > BigInt(MAX_HEADER_BYTES)) {
    throw new NotALoraError(
      "This is not a safetensors file: its first 8 bytes do not give a sensible header length. Upload the adapter's .safetensors file (for example adapter_model.safetensors), or a .zip of the adapter folder.",
    );
  }
  return Number(length);
}

function parseEntries(headerText: string): { entries: [string, TensorEntry][]; metadata: Record<string, string> } {
  let header: unknown;
  try {
    header = JSON.parse(headerText);
  } catch {
    throw new NotALoraError("This is not a safetensors file: its header is not valid JSON.");
  }
  if (!header || typeof header !== "object" || Array.isArray(header)) throw new NotALoraError("This is not a safetensors file: its header is not a JSON object.");
  const metadata: Record<string, string> = {};
  const entries: [string, TensorEntry][] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === "__metadata__") {
      if (value && typeof value === "object") for (const [k, v] of Object.entries(value)) if (typeof v === "string") metadata[k] = v;
      continue;
    }
    const t = value as Partial<TensorEntry> | null;
    const valid =
      t &&
      typeof t.dtype === "string" &&
      DTYPES.has(t.dtype) &&
      Array.isArray(t.shape) &&
      t.shape.every((n) => Number.isInteger(n) && n >= 0) &&
      Array.isArray(t.data_offsets) &&
      t.data_offsets.length === 2 &&
      t.data_offsets.every((n) => Number.isInteger(n) && n >= 0) &&
      t.data_offsets[0] <= t.data_offsets[1];
    if (!valid) throw new NotALoraError(`This safetensors file is damaged: the tensor “${name.slice(0, 120)}” is not described properly.`);
    entries.push([name, t as TensorEntry]);
  }
  return { entries, metadata };
}

/** PEFT names `….q_proj.lora_A.weight`; kohya and diffusers name `….lora_down.weight`. */
const LORA_TENSOR = /^(.*)\.(lora_A|lora_B|lora_down|lora_up)(\.[^.]+)?\.weight$/;

/**
 * Read a safetensors header (the JSON after the 8-byte length) and decide
 * whether it describes a LoRA: tensors in A/B (down/up) pairs, the rank from
 * the A matrix's first dimension, the target modules from the names. The
 * tensors' byte ranges must fill the file exactly, so a truncated or padded
 * upload is refused too.
 */
export function readLoraHeader(headerText: string, { fileBytes, headerBytes }: { fileBytes: number; headerBytes: number }): LoraFacts {
  const { entries, metadata } = parseEntries(headerText);
  if (entries.length === 0) throw new NotALoraError("This safetensors file holds no tensors, so it cannot be an adapter.");
  const dataBytes = fileBytes - 8 - headerBytes;
  const end = Math.max(...entries.map(([, t]) => t.data_offsets[1]));
  if (end !== dataBytes) {
    throw new NotALoraError(
      end > dataBytes
        ? "This safetensors file is cut off: its header describes more data than the file holds. Upload the complete file."
        : "This safetensors file has bytes after its last tensor; it is damaged or not what its header says.",
    );
  }
  const modules = new Set<string>();
  const ranks = new Set<number>();
  let loraTensors = 0;
  for (const [name, t] of entries) {
    const match = LORA_TENSOR.exec(name);
    if (!match) continue;
    loraTensors += 1;
    const path = match[1] ?? "";
    modules.add(path.split(".").pop() ?? path);
    // A is r × in (PEFT) / down is r × in (kohya): the rank is its first dimension.
    if ((match[2] === "lora_A" || match[2] === "lora_down") && t.shape.length >= 2) ranks.add(t.shape[0] ?? 0);
  }
  if (loraTensors === 0) {
    throw new NotALoraError(
      `This safetensors file has ${entries.length} tensors but none of a LoRA adapter (names ending in lora_A/lora_B or lora_down/lora_up). It looks like a full model or another kind of weights; upload the adapter instead.`,
    );
  }
  if (ranks.size === 0) throw new NotALoraError("This file has LoRA tensors but no A (down) matrices, so its rank cannot be read; the adapter is incomplete.");
  const alphaText = metadata.lora_alpha ?? metadata.alpha ?? metadata.ss_network_alpha;
  const alpha = alphaText !== undefined && Number.isFinite(Number(alphaText)) ? Number(alphaText) : null;
  return {
    rank: Math.max(...ranks),
    alpha,
    targetModules: [...modules].sort(),
    tensorCount: entries.length,
    baseModel: metadata.base_model_name_or_path ?? metadata.base_model ?? metadata.ss_sd_model_name ?? null,
  };
}

/** PEFT's adapter_config.json: the LoRA's own description, which wins over the header's metadata. */
export function readAdapterConfig(text: string): { rank: number | null; alpha: number | null; targetModules: string[] | null; baseModel: string | null } {
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(text);
  } catch {
    throw new NotALoraError("The archive's adapter_config.json is not valid JSON.");
  }
  if (!config || typeof config !== "object") throw new NotALoraError("The archive's adapter_config.json is not a JSON object.");
  const type = config.peft_type;
  if (type !== undefined && type !== "LORA") {
    throw new NotALoraError(`The archive's adapter_config.json describes a ${String(type)} adapter; Arbor's registry holds LoRA adapters only.`);
  }
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  const modules = Array.isArray(config.target_modules) ? config.target_modules.filter((m): m is string => typeof m === "string") : typeof config.target_modules === "string" ? [config.target_modules] : null;
  return {
    rank: num(config.r),
    alpha: num(config.lora_alpha),
    targetModules: modules,
    baseModel: typeof config.base_model_name_or_path === "string" ? config.base_model_name_or_path : null,
  };
}
