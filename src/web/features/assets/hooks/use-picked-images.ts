// The images chosen in the new-asset form, in the order they were added; the file input itself is only a way in.
import { useCallback, useState } from 'react';

export interface PickedImage {
  id: number;
  file: File;
}

let nextId = 1;

export function usePickedImages() {
  const [images, setImages] = useState<PickedImage[]>([]);
  const add = useCallback((files: Iterable<File>) => {
    const picked = Array.from(files, (file) => ({ id: nextId++, file }));
    if (picked.length) setImages((prev) => [...prev, ...picked]);
  }, []);
  const remove = useCallback((id: number) => setImages((prev) => prev.filter((img) => img.id !== id)), []);
  return { images, add, remove };
}
