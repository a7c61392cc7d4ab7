// The three.js side of the preview: renderer, studio lights, floor grid, camera framing, orbit controls, on-demand
// rendering and disposal. Kept free of React so the component only wires it to the page.
import {
  BufferGeometry,
  DirectionalLight,
  Float32BufferAttribute,
  HemisphereLight,
  LineBasicMaterial,
  LineSegments,
  Mesh,
  MeshBasicMaterial,
  NeutralToneMapping,
  PerspectiveCamera,
  Scene,
  Spherical,
  SRGBColorSpace,
  Texture,
  Vector3,
  WebGLRenderer,
  type Material,
  type Object3D,
} from 'three';
import { OrbitControls } from 'three/examples/jsm/controls/OrbitControls.js';
import { visibleBoundingBox } from './model-stats';

const FOV = 35;
// A three-quarter view from slightly above reads a shape best at first sight.
const VIEW_DIRECTION = new Vector3(0.9, 0.55, 1.5).normalize();
const ROTATE_STEP = Math.PI / 12;
const ZOOM_STEP = 1.2;

function disposeMaterial(material: Material): void {
  for (const value of Object.values(material)) {
    if (value instanceof Texture) value.dispose();
  }
  material.dispose();
}

/** Frees the GPU memory behind everything under `root`: geometries, materials and their textures. */
export function disposeObject(root: Object3D): void {
  root.traverse((object) => {
    if (!(object instanceof Mesh)) return;
    object.geometry.dispose();
    const materials: Material[] = Array.isArray(object.material) ? object.material : [object.material];
    materials.forEach(disposeMaterial);
  });
}

/**
 * A floor grid that fades out towards its rim, so it reads as a studio floor rather than a board with hard edges.
 * Each line is cut into short pieces so the per-vertex alpha can fall off along it.
 */
export function createFloorGrid(span: number, divisions = 12, pieces = 24): LineSegments {
  const half = span / 2;
  const positions: number[] = [];
  const colours: number[] = [];
  const fade = (x: number, z: number) => Math.max(0, 1 - Math.hypot(x, z) / half) ** 1.5;
  for (let i = 0; i <= divisions; i++) {
    const offset = -half + (i * span) / divisions;
    for (let j = 0; j < pieces; j++) {
      const a = -half + (j * span) / pieces;
      const b = a + span / pieces;
      // One line along x and one along z through the same offset.
      for (const [x1, z1, x2, z2] of [
        [a, offset, b, offset],
        [offset, a, offset, b],
      ] as const) {
        positions.push(x1, 0, z1, x2, 0, z2);
        colours.push(0.44, 0.44, 0.48, fade(x1, z1), 0.44, 0.44, 0.48, fade(x2, z2));
      }
    }
  }
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new Float32BufferAttribute(positions, 3));
  geometry.setAttribute('color', new Float32BufferAttribute(colours, 4));
  const material = new LineBasicMaterial({ vertexColors: true, transparent: true, opacity: 0.45, depthWrite: false });
  return new LineSegments(geometry, material);
}

const WIRE_NAME = 'model-preview-wireframe';

export class PreviewScene {
  readonly canvas: HTMLCanvasElement;
  private readonly renderer: WebGLRenderer;
  private readonly scene = new Scene();
  private readonly camera = new PerspectiveCamera(FOV, 1, 0.01, 100);
  private readonly controls: OrbitControls;
  private model: Object3D | null = null;
  private grid: LineSegments | null = null;
  // Dark lines over the shaded surface: the topology reads better than a see-through tangle of every edge.
  private readonly wireMaterial = new MeshBasicMaterial({ color: 0x18181b, wireframe: true, transparent: true, opacity: 0.28 });
  private frame = 0;
  private wireframe = false;

  constructor(options: { reducedMotion: boolean }) {
    this.renderer = new WebGLRenderer({ antialias: true, alpha: true, powerPreference: 'low-power' });
    this.renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
    this.renderer.outputColorSpace = SRGBColorSpace;
    // Neutral tone mapping keeps a texture's colours close to what the artist painted.
    this.renderer.toneMapping = NeutralToneMapping;
    this.renderer.setClearColor(0x000000, 0);
    this.canvas = this.renderer.domElement;
    this.canvas.style.display = 'block';
    this.canvas.style.width = '100%';
    this.canvas.style.height = '100%';
    this.canvas.style.touchAction = 'none';

    // Studio lighting without an HDR download: a sky/ground fill, a warm key from above-right, a cool rim from behind.
    // Grey clay needs the directional contrast, or its shape flattens out.
    this.scene.add(new HemisphereLight(0xffffff, 0x71717a, 1.6));
    const key = new DirectionalLight(0xfff6ec, 2.4);
    key.position.set(3, 5, 4);
    const rim = new DirectionalLight(0xe0e7ff, 1.1);
    rim.position.set(-4, 2.5, -3);
    this.scene.add(key, rim);
    this.scene.add(this.camera);

    this.controls = new OrbitControls(this.camera, this.canvas);
    // Damping eases the orbit out after a drag; with reduced motion the view stops where the pointer lets go.
    this.controls.enableDamping = !options.reducedMotion;
    this.controls.dampingFactor = 0.12;
    this.controls.enablePan = false;
    this.controls.addEventListener('change', this.requestRender);
  }

  /** Renders on demand: one frame per request, and more only while damping is still moving the camera. */
  readonly requestRender = (): void => {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      // update() fires 'change' (and so asks for the next frame) while damping still moves the camera.
      this.controls.update();
      this.renderer.render(this.scene, this.camera);
    });
  };

  setSize(width: number, height: number): void {
    if (width === 0 || height === 0) return;
    this.renderer.setSize(width, height, false);
    this.camera.aspect = width / height;
    this.camera.updateProjectionMatrix();
    this.requestRender();
  }

  /** Shows `model` in place of the previous one (which is disposed), framed and standing on the floor grid. */
  setModel(model: Object3D): void {
    this.clearModel();
    this.model = model;
    this.scene.add(model);
    this.applyWireframe();

    const box = visibleBoundingBox(model);
    if (box.isEmpty()) box.setFromCenterAndSize(new Vector3(), new Vector3(1, 1, 1));
    const size = box.getSize(new Vector3());
    const center = box.getCenter(new Vector3());
    const radius = Math.max(size.length() / 2, 1e-3);

    // Fit the bounding sphere inside whichever field of view is narrower, with a little margin.
    const vFov = (FOV * Math.PI) / 180;
    const hFov = 2 * Math.atan(Math.tan(vFov / 2) * Math.min(this.camera.aspect, 1));
    const distance = (radius / Math.sin(Math.min(vFov, hFov) / 2)) * 1.05;
    this.camera.near = distance / 100;
    this.camera.far = distance * 100;
    this.camera.position.copy(center).addScaledVector(VIEW_DIRECTION, distance);
    this.camera.updateProjectionMatrix();
    this.controls.target.copy(center);
    this.controls.minDistance = radius * 0.6;
    this.controls.maxDistance = distance * 4;
    this.controls.update();
    this.controls.saveState();

    // A floor a little wider than the model, at its base, so its scale and footing read at a glance.
    this.grid = createFloorGrid(Math.max(size.x, size.z, size.y * 0.5) * 3);
    this.grid.position.set(center.x, box.min.y, center.z);
    this.scene.add(this.grid);
    this.requestRender();
  }

  setWireframe(on: boolean): void {
    this.wireframe = on;
    this.applyWireframe();
    this.requestRender();
  }

  resetView(): void {
    this.controls.reset();
  }

  /**
   * Orbits by whole steps, for the arrow keys. Signs follow a drag: a drag to the left raises the azimuth, a drag
   * upwards raises the polar angle, so a key moves the model the way the pointer would.
   */
  rotate(azimuthSteps: number, polarSteps: number): void {
    const offset = this.camera.position.clone().sub(this.controls.target);
    const spherical = new Spherical().setFromVector3(offset);
    spherical.theta += azimuthSteps * ROTATE_STEP;
    spherical.phi = Math.min(Math.max(spherical.phi + polarSteps * ROTATE_STEP, 0.05), Math.PI - 0.05);
    this.camera.position.copy(this.controls.target).add(new Vector3().setFromSpherical(spherical));
    this.controls.update();
  }

  /** Zooms by whole steps, for + and −: positive moves closer. */
  zoom(steps: number): void {
    const offset = this.camera.position.clone().sub(this.controls.target);
    const distance = offset.length() / ZOOM_STEP ** steps;
    offset.setLength(Math.min(Math.max(distance, this.controls.minDistance), this.controls.maxDistance));
    this.camera.position.copy(this.controls.target).add(offset);
    this.controls.update();
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    this.clearModel();
    this.controls.removeEventListener('change', this.requestRender);
    this.controls.dispose();
    this.wireMaterial.dispose();
    this.renderer.dispose();
    // Give the context back now rather than at garbage collection: browsers cap how many may be alive.
    this.renderer.forceContextLoss();
    this.canvas.remove();
  }

  private clearModel(): void {
    if (this.model) {
      this.removeWireOverlays();
      this.scene.remove(this.model);
      disposeObject(this.model);
      this.model = null;
    }
    if (this.grid) {
      this.scene.remove(this.grid);
      this.grid.geometry.dispose();
      disposeMaterial(this.grid.material as Material);
      this.grid = null;
    }
  }

  private removeWireOverlays(): void {
    const overlays: Object3D[] = [];
    this.model?.traverse((object) => {
      if (object.name === WIRE_NAME) overlays.push(object);
    });
    for (const overlay of overlays) overlay.removeFromParent();
  }

  /** The overlay shares each mesh's geometry, so it costs a draw call per mesh but no extra memory. */
  private applyWireframe(): void {
    this.removeWireOverlays();
    if (!this.model) return;
    const meshes: Mesh[] = [];
    this.model.traverse((object) => {
      if (object instanceof Mesh) meshes.push(object);
    });
    for (const mesh of meshes) {
      // Pushing the surface back a little keeps the lines from flickering in and out of it (lines take no offset).
      const materials: Material[] = Array.isArray(mesh.material) ? mesh.material : [mesh.material];
      for (const material of materials) {
        material.polygonOffset = this.wireframe;
        material.polygonOffsetFactor = 1;
        material.polygonOffsetUnits = 1;
      }
      if (!this.wireframe) continue;
      const overlay = new Mesh(mesh.geometry, this.wireMaterial);
      overlay.name = WIRE_NAME;
      mesh.add(overlay);
    }
  }
}
