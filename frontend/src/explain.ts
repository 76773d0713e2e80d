// Plain sentences about the learning-phase flag. Pure.

export function layerReason(kind: string | null | undefined): string {
  switch (kind) {
    case 'BatchNormalization':
      return 'batch normalization uses the statistics of the current batch in training and its moving averages in inference';
    case 'Dropout':
    case 'SpatialDropout1D':
    case 'SpatialDropout2D':
    case 'SpatialDropout3D':
    case 'AlphaDropout':
    case 'GaussianDropout':
      return 'dropout is active only in training and passes its input through unchanged in inference';
    case 'GaussianNoise':
      return 'it adds noise only in training';
    default:
      return 'its computation differs between training and inference';
  }
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

/** One sentence for a phase edge or a badge: what the flag is and why this layer reads it. */
export function explainPhaseEdge(source: string, layer: string, kind: string | null | undefined): string {
  const k = kind || 'layer';
  return (
    `${source} is the Keras learning-phase flag (true while training, false in inference); ` +
    `${layer} is ${article(k)} ${k} layer and reads it because ${layerReason(kind)}.`
  );
}

export function explainSource(source: string, consumers: number, bornIn: string | null | undefined): string {
  let t =
    `${source} is the Keras learning-phase flag (true while training, false in inference); ` +
    `${consumers} layer${consumers === 1 ? '' : 's'} read${consumers === 1 ? 's' : ''} it to switch between training and inference behaviour.`;
  if (bornIn)
    t += ` It was created inside ${bornIn}, the first layer that needed it, and is shown outside that scope because it belongs to every layer that reads it.`;
  return t;
}

export function explainContains(group: string, layers: number): string {
  return `${group} holds ${layers} layer${layers === 1 ? '' : 's'} that read the learning-phase flag; open it to see ${layers === 1 ? 'it' : 'them'}.`;
}
