// Turns a person's revision note into step settings with a few plain keyword rules. Anything the rules do not
// recognise leaves the defaults, so the step simply runs again; the rules are listed here on purpose, small
// enough to read and to explain.
import { LIMITS } from '../../../contract/api';

const has = (note: string, pattern: RegExp) => pattern.test(note.toLowerCase());

export interface GeometrySettings {
  /** Multiplies the high-poly triangle budget. */
  budget: number;
  depthScale: number;
  detailScale: number;
}

/**
 * geometry: "more detail" / "sharper" → finer mesh and stronger surface detail; "smoother" / "less detail" → no
 * surface detail; "flatter" / "thinner" / "shallower" → less depth; "thicker" / "deeper" / "rounder" → more depth.
 */
export function geometrySettings(note: string | null): GeometrySettings {
  const s: GeometrySettings = { budget: 1, depthScale: 0.9, detailScale: 1 };
  if (!note) return s;
  if (has(note, /\bmore detail|\bmore detailed\b|\bsharper\b|\bfiner\b|\bhigher (detail|resolution)\b/)) {
    s.budget = 1.5;
    s.detailScale = 2.5;
  }
  if (has(note, /\bsmooth(er)?\b|\bless detail|\bless bumpy\b|\bno detail/)) s.detailScale = 0;
  if (has(note, /\bflatter\b|\bflat\b|\bthinner\b|\bshallower\b|\bless deep\b|\bless depth\b/)) s.depthScale *= 0.55;
  if (has(note, /\bthicker\b|\bdeeper\b|\brounder\b|\bfatter\b|\bmore depth\b|\bmore round/)) s.depthScale *= 1.4;
  return s;
}

/**
 * optimise: an explicit count ("5000 triangles", "8k polys") sets the target; "fewer polygons" / "lower poly" /
 * "simpler" halves it; "more detail" / "more polygons" / "higher poly" doubles it.
 */
export function optimiseTarget(note: string | null, base: number): number {
  let target = base;
  if (note) {
    const explicit = /(\d[\d,]*(?:\.\d+)?)\s*(k)?\s*(?:triangles|tris|polygons|polys|faces)\b/i.exec(note);
    if (explicit?.[1]) {
      target = Number(explicit[1].replace(/,/g, '')) * (explicit[2] ? 1000 : 1);
    } else if (has(note, /\bfewer (polygons|polys|triangles|faces)\b|\blower[ -]poly|\blow[ -]poly|\bless detail|\bsimpler\b|\blighter\b|\bsmaller file/)) {
      target = base / 2;
    } else if (has(note, /\bmore detail|\bmore (polygons|polys|triangles|faces)\b|\bhigher[ -]poly|\bhigh[ -]poly/)) {
      target = base * 2;
    }
  }
  return Math.round(Math.min(LIMITS.polycountMax, Math.max(LIMITS.polycountMin, target)));
}

export interface TextureSettings {
  brightness: number;
  saturation: number;
}

/** texture: "brighter" / "lighter", "darker", "more saturated" / "more vivid", "less saturated" / "muted". */
export function textureSettings(note: string | null): TextureSettings {
  const s: TextureSettings = { brightness: 1, saturation: 1 };
  if (!note) return s;
  if (has(note, /\bbrighter\b|\blighter\b|\btoo dark\b/)) s.brightness = 1.2;
  if (has(note, /\bdarker\b|\btoo bright\b/)) s.brightness = 0.8;
  if (has(note, /\bmore (saturated|vivid|colou?rful)\b|\bmore colou?r\b|\bsaturate\b/)) s.saturation = 1.35;
  if (has(note, /\bless (saturated|vivid|colou?rful)\b|\bdesaturat|\bmuted\b|\bduller\b/)) s.saturation = 0.7;
  return s;
}

/** lod: "more levels" / "more LODs" → four lower levels; "fewer levels" / "fewer LODs" → two. Fractions of LOD0's triangles. */
export function lodRatios(note: string | null): number[] {
  if (note && has(note, /\bmore (levels|lods?)\b/)) return [0.5, 0.25, 0.1, 0.05];
  if (note && has(note, /\b(fewer|less) (levels|lods?)\b/)) return [0.5, 0.2];
  return [0.5, 0.25, 0.1];
}
