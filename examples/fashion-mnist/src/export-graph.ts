import { bytesOf, Graph, GraphBuilder } from '@tinyforge/ir';
import { Conv2DLayer } from './training/conv2d-layer';
import { DenseLayer } from './training/dense-layer';
import { DepthwiseLayer } from './training/depthwise-layer';
import { Layer, Param } from './training/layer';
import { MaxPoolLayer } from './training/max-pool-layer';
import { Network } from './training/network';

export const INPUT_NAME = 'image';
export const OUTPUT_NAME = 'probabilities';

/**
 * The trained network as an IR graph: float32, NHWC input [1, 28, 28, 1] with pixels in [0, 1], TFLite layouts
 * (conv OHWI, depthwise [1, k, k, C], FC [out, in]), ReLUs fused into their producers, a Reshape to [1, H·W·C]
 * before the first fully connected layer, and a Softmax on the logits.
 */
export function networkToGraph(network: Network, name = 'fashion_mnist_cnn'): Graph {
  const b = new GraphBuilder(name);
  const s = network.inputShape;
  let x = b.input({ name: INPUT_NAME, shape: [1, s.h, s.w, s.c], dtype: 'float32' });
  let rank4 = true;
  for (const layer of network.layers) {
    if (layer instanceof DenseLayer && rank4) {
      const flat = layer.weight.shape[1];
      const shape = b.constant({ name: `${layer.name}/flatten_shape`, shape: [2], dtype: 'int32' }, new Int32Array([1, flat]));
      x = b.node('Reshape', {}, [x, shape], { name: `${layer.name}/flatten`, dtype: 'float32', shape: [1, flat] });
      rank4 = false;
    }
    x = addLayer(b, layer, x);
  }
  x = b.node('Softmax', { beta: 1 }, [x], { name: OUTPUT_NAME, dtype: 'float32' });
  const graph = b.output(x).build();
  graph.metadata.sourceFormat = 'tinyforge-train';
  graph.metadata.producer = 'examples/fashion-mnist';
  return graph;
}

function addLayer(b: GraphBuilder, layer: Layer, x: number): number {
  const out = { name: layer.name, dtype: 'float32' as const };
  const conv = { strideH: 1, strideW: 1, dilationH: 1, dilationW: 1, padding: 'same' as const };
  if (layer instanceof Conv2DLayer) {
    return b.node('Conv2D', { ...conv, activation: layer.relu ? 'relu' : 'none' }, [x, constant(b, layer.weight), constant(b, layer.bias)], out);
  }
  if (layer instanceof DepthwiseLayer) {
    const attrs = { ...conv, activation: layer.relu ? ('relu' as const) : ('none' as const), depthMultiplier: 1 };
    return b.node('DepthwiseConv2D', attrs, [x, constant(b, layer.weight), constant(b, layer.bias)], out);
  }
  if (layer instanceof MaxPoolLayer) {
    const p = layer.poolSize;
    return b.node('MaxPool2D', { filterH: p, filterW: p, strideH: p, strideW: p, padding: 'valid', activation: 'none' }, [x], out);
  }
  if (layer instanceof DenseLayer) {
    return b.node('FullyConnected', { activation: layer.relu ? 'relu' : 'none', keepNumDims: false }, [x, constant(b, layer.weight), constant(b, layer.bias)], out);
  }
  throw new TypeError(`layer '${layer.name}' has no IR mapping`);
}

function constant(b: GraphBuilder, p: Param): number {
  return b.constant({ name: p.name, shape: p.shape, dtype: 'float32' }, bytesOf(p.value));
}
