// The demo reference images the seed uses: hand-drawn SVG objects on a transparent background, rendered to PNG.
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';

export const DEMO_IMAGES: readonly { file: string; name: string }[] = [
  { file: 'ceramic-vase.svg', name: 'Ceramic vase' },
  { file: 'coffee-mug.svg', name: 'Coffee mug' },
  { file: 'desk-lamp.svg', name: 'Desk lamp' },
  { file: 'potted-plant.svg', name: 'Potted plant' },
  { file: 'treasure-chest.svg', name: 'Treasure chest' },
];

/** Pixels per side of the rendered PNG: twice the drawings' 512-unit viewBox, so textures stay sharp. */
const RENDER_SIZE = 1024;

export async function renderDemoImage(file: string): Promise<Buffer> {
  // Only the bundled files: the name never becomes a path of its own.
  if (!DEMO_IMAGES.some((d) => d.file === file)) throw new Error(`Unknown demo image: ${file}`);
  const svg = await readFile(new URL(`./images/${file}`, import.meta.url));
  return sharp(svg, { density: (72 * RENDER_SIZE) / 512 })
    .resize(RENDER_SIZE, RENDER_SIZE, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer();
}
