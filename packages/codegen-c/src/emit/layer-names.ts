import { Node } from '@tinyforge/ir';
import { cIdentifier } from './naming';

/**
 * A short readable name for a layer from its (often very long) TFLite name: the first of the ';'-joined names,
 * its last two '/'-separated parts, e.g. 'model/conv2d_1/Conv2D;…' → 'conv2d_1_conv2d'.
 */
export function shortLayerName(node: Node): string {
  const first = node.name.split(';')[0];
  const parts = first.split('/').filter((p) => p !== '');
  const tail = parts.slice(-2).join('_');
  const id = cIdentifier(tail, 28);
  return id === '' || id.startsWith('m_') ? cIdentifier(node.op, 28) : id;
}
