// The MSFT_lod vendor extension for glTF-Transform: a node names lower levels of detail, which are nodes kept
// outside the scene tree, so a viewer that does not know the extension draws the first level only.
// https://github.com/KhronosGroup/glTF/tree/main/extensions/2.0/Vendor/MSFT_lod
import { Extension, ExtensionProperty, PropertyType, RefList } from '@gltf-transform/core';
import type { IProperty, Node, Nullable, ReaderContext, WriterContext } from '@gltf-transform/core';

export const MSFT_LOD = 'MSFT_lod';
/** Node extras key holding one screen-coverage threshold per level, the first level included (MSFT_lod spec). */
export const SCREEN_COVERAGE = 'MSFT_screencoverage';

interface ILod extends IProperty {
  levels: RefList<Node>;
}

interface LodDef {
  ids?: unknown;
}

/** The lower levels of one node, best first. */
export class Lod extends ExtensionProperty<ILod> {
  static override EXTENSION_NAME = MSFT_LOD;
  declare extensionName: typeof MSFT_LOD;
  declare propertyType: 'Lod';
  declare parentTypes: [PropertyType.NODE];

  protected init(): void {
    this.extensionName = MSFT_LOD;
    this.propertyType = 'Lod';
    this.parentTypes = [PropertyType.NODE];
  }

  protected override getDefaults(): Nullable<ILod> {
    return Object.assign(super.getDefaults(), { levels: new RefList<Node>() });
  }

  addLevel(node: Node): this {
    return this.addRef('levels', node);
  }

  listLevels(): Node[] {
    return this.listRefs('levels');
  }
}

export class MsftLod extends Extension {
  static override EXTENSION_NAME = MSFT_LOD;
  override readonly extensionName = MSFT_LOD;

  createLod(): Lod {
    return new Lod(this.document.getGraph());
  }

  read(context: ReaderContext): this {
    const nodeDefs = context.jsonDoc.json.nodes ?? [];
    nodeDefs.forEach((nodeDef, nodeIndex) => {
      const def = nodeDef.extensions?.[MSFT_LOD] as LodDef | undefined;
      const node = context.nodes[nodeIndex];
      if (!def || !node || !Array.isArray(def.ids)) return;
      const lod = this.createLod();
      for (const id of def.ids) {
        const level = typeof id === 'number' ? context.nodes[id] : undefined;
        if (level) lod.addLevel(level);
      }
      node.setExtension(MSFT_LOD, lod);
    });
    return this;
  }

  write(context: WriterContext): this {
    const nodeDefs = context.jsonDoc.json.nodes ?? [];
    for (const node of this.document.getRoot().listNodes()) {
      const lod = node.getExtension<Lod>(MSFT_LOD);
      const index = context.nodeIndexMap.get(node);
      if (!lod || index === undefined) continue;
      const nodeDef = nodeDefs[index];
      if (!nodeDef) continue;
      const ids = lod
        .listLevels()
        .map((level) => context.nodeIndexMap.get(level))
        .filter((id): id is number => id !== undefined);
      nodeDef.extensions = { ...nodeDef.extensions, [MSFT_LOD]: { ids } };
    }
    return this;
  }
}
