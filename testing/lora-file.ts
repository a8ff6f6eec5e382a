import { createHash } from "node:crypto";
import { zipSync } from "fflate";

/**
 * A real safetensors LoRA in PEFT's layout, made in the test: per layer and
 * target module an A (rank × hidden) and a B (hidden × rank) matrix of F32,
 * with __metadata__ naming the base model and alpha. The weights are a cheap
 * deterministic pattern (the registry reads headers, not numbers), so a
 * 50 MB file costs nothing to make.
 */
export type LoraSpec = { rank?: number; hidden?: number; layers?: number; modules?: string[]; alpha?: number; baseModel?: string | null };

export function makeLoraSafetensors(spec: LoraSpec = {}): Buffer {
  const { rank = 8, hidden = 64, layers = 2, modules = ["q_proj", "v_proj"], alpha = 16, baseModel = "meta-llama/Llama-3.1-8B-Instruct" } = spec;
  const header: Record<string, unknown> = {
    __metadata__: { format: "pt", lora_alpha: String(alpha), ...(baseModel ? { base_model_name_or_path: baseModel } : {}) },
  };
  let offset = 0;
  const tensor = (name: string, shape: number[]) => {
    const bytes = shape.reduce((a, b) => a * b, 1) * 4;
    header[name] = { dtype: "F32", shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  };
  for (let layer = 0; layer < layers; layer++) {
    for (const module of modules) {
      const base = `base_model.model.model.layers.${layer}.self_attn.${module}`;
      tensor(`${base}.lora_A.weight`, [rank, hidden]);
      tensor(`${base}.lora_B.weight`, [hidden, rank]);
    }
  }
  return assemble(header, offset);
}

/** A safetensors file of ordinary (non-LoRA) weights, for the "not an adapter" refusal. */
export function makeFullModelSafetensors(): Buffer {
  const header: Record<string, unknown> = { "model.embed_tokens.weight": { dtype: "F16", shape: [32, 16], data_offsets: [0, 1024] } };
  return assemble(header, 1024);
}

function assemble(header: Record<string, unknown>, dataBytes: number): Buffer {
  let json = JSON.stringify(header);
  // The format pads the header with spaces to a multiple of 8.
  json += " ".repeat((8 - (Buffer.byteLength(json) % 8)) % 8);
  const head = Buffer.from(json, "utf8");
  const file = Buffer.alloc(8 + head.length + dataBytes);
  file.writeBigUInt64LE(BigInt(head.length), 0);
  head.copy(file, 8);
  const data = file.subarray(8 + head.length);
  for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
  return file;
}

/** A PEFT adapter folder, zipped: adapter_config.json beside adapter_model.safetensors. */
export function makeLoraZip(spec: LoraSpec & { configRank?: number } = {}): Buffer {
  const weights = makeLoraSafetensors({ ...spec, baseModel: null });
  const config = {
    peft_type: "LORA",
    r: spec.configRank ?? spec.rank ?? 8,
    lora_alpha: spec.alpha ?? 16,
    target_modules: spec.modules ?? ["q_proj", "v_proj"],
    base_model_name_or_path: spec.baseModel ?? "mistralai/Mistral-7B-v0.3",
  };
  return Buffer.from(
    zipSync({ "my-adapter/adapter_config.json": new TextEncoder().encode(JSON.stringify(config)), "my-adapter/adapter_model.safetensors": new Uint8Array(weights) }, { level: 6 }),
  );
}

export const sha256Hex = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
export const sha256Base64 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");
