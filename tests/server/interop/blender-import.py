# Imports each file given after "--" into an empty Blender scene and prints one JSON line per file:
# what a person who downloads our asset would get in Blender.
import json
import sys

import bpy
import numpy

numpy.bool = bool  # Debian's numpy 1.24 lacks the alias Blender 3.4's glTF importer still uses

for path in sys.argv[sys.argv.index("--") + 1:]:
    bpy.ops.wm.read_factory_settings(use_empty=True)
    try:
        if path.endswith(".obj"):
            if hasattr(bpy.ops.wm, "obj_import"):
                bpy.ops.wm.obj_import(filepath=path)
            else:
                bpy.ops.import_scene.obj(filepath=path)
        else:
            bpy.ops.import_scene.gltf(filepath=path)
        meshes = [o for o in bpy.data.objects if o.type == "MESH"]
        result = {
            "file": path,
            "ok": True,
            "meshes": len(meshes),
            "faces": sum(len(o.data.polygons) for o in meshes),
            "images": len([i for i in bpy.data.images if i.size[0] > 0]),
        }
    except Exception as err:  # report and go on to the next file
        result = {"file": path, "ok": False, "error": str(err)}
    print("IMPORT " + json.dumps(result), flush=True)
