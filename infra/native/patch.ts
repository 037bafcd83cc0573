/**
 * Step "patch": one addition to tfjs-node's binding source before it is compiled. The binding
 * sets string attributes only one at a time, so TensorFlow ops with a list(string) attribute
 * cannot be called from TF.js; the patch lets an array set TFE_OpSetAttrStringList. That opens
 * `_FusedMatMul` (MatMul + BiasAdd + Relu as one oneDNN primitive), which CER's dense layer uses
 * on native TensorFlow (recsys/backends/native-ops.ts; 2.4× faster for its first layer, see
 * bench/RESULTS.md). The patched addon exports REXSWEEP_BINDING_PATCH = BINDING_PATCH; native-ops
 * reads it, so an unpatched addon keeps working with separate ops.
 *
 * Each edit is anchored on text of tfjs-node 4.22's source. Where an anchor is missing (another
 * tfjs-node version), nothing is changed, the build goes on unpatched, and the log says so.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Bumped when the edits change: the addon cache is kept per patch level (paths.ts). */
export const BINDING_PATCH = 1;
const MARKER = 'REXSWEEP_BINDING_PATCH';

interface Edit {
  file: string;
  anchor: string;
  /** Replaces the anchor; keeps it, so the edit reads as an insertion. */
  replacement: string;
}

const STRING_LIST = `    case TF_ATTR_STRING: {
      // ${MARKER}: an array sets a list(string) attribute.
      if (IsArray(env, nstatus, &js_value)) {
        uint32_t length;
        nstatus = napi_get_array_length(env, js_value, &length);
        ENSURE_NAPI_OK(env, nstatus);
        std::vector<std::string> strings(length);
        std::vector<const void *> values(length);
        std::vector<size_t> lengths(length);
        for (uint32_t i = 0; i < length; ++i) {
          napi_value element;
          nstatus = napi_get_element(env, js_value, i, &element);
          ENSURE_NAPI_OK(env, nstatus);
          nstatus = GetStringParam(env, element, strings[i]);
          ENSURE_NAPI_OK(env, nstatus);
          values[i] = strings[i].data();
          lengths[i] = strings[i].size();
        }
        TFE_OpSetAttrStringList(tfe_op, attr_name, values.data(), lengths.data(), static_cast<int>(length));
        break;
      }
`;

export const EDITS: readonly Edit[] = [
  { file: 'binding/tfjs_backend.cc', anchor: '    case TF_ATTR_STRING: {\n', replacement: STRING_LIST },
  {
    file: 'binding/tfjs_binding.cc',
    anchor: '#undef EXPORT_INT_PROPERTY\n',
    replacement: `  AssignIntProperty(env, exports, "${MARKER}", ${BINDING_PATCH});\n#undef EXPORT_INT_PROPERTY\n`,
  },
];

export type PatchOutcome = { applied: true; already: boolean } | { applied: false; why: string };

/** The edited sources, or why they cannot be edited; pure (tested on tfjs-node's own files). */
export function patchSources(sources: Record<string, string>): { sources: Record<string, string>; outcome: PatchOutcome } {
  if (EDITS.every((e) => sources[e.file]?.includes(MARKER))) return { sources, outcome: { applied: true, already: true } };
  const out = { ...sources };
  for (const e of EDITS) {
    const text = out[e.file];
    if (text === undefined) return { sources, outcome: { applied: false, why: `${e.file} is missing` } };
    const at = text.indexOf(e.anchor);
    if (at < 0 || text.indexOf(e.anchor, at + 1) >= 0) {
      return { sources, outcome: { applied: false, why: `${e.file}: the text to patch is not there exactly once (another tfjs-node version?)` } };
    }
    out[e.file] = text.slice(0, at) + e.replacement + text.slice(at + e.anchor.length);
  }
  return { sources: out, outcome: { applied: true, already: false } };
}

/** Apply the edits to the package's binding sources in place. */
export async function patchBinding(packageDir: string, log: (m: string) => void): Promise<PatchOutcome> {
  const files = [...new Set(EDITS.map((e) => e.file))];
  const sources: Record<string, string> = {};
  for (const f of files) {
    try {
      sources[f] = await readFile(join(packageDir, f), 'utf8');
    } catch {
      // Left out: patchSources names the missing file.
    }
  }
  const { sources: patched, outcome } = patchSources(sources);
  if (!outcome.applied) {
    log(`binding patch not applied (${outcome.why}): the addon builds without list(string) attributes, and CER's dense layer runs as separate ops`);
    return outcome;
  }
  if (!outcome.already) for (const f of files) await writeFile(join(packageDir, f), patched[f]);
  log(outcome.already ? 'binding source already patched' : `binding source patched (level ${BINDING_PATCH}: list(string) attributes)`);
  return outcome;
}
