import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

/** Every latency histogram the runner writes: microseconds, 1 us to 60 s, 3 significant digits. */
export const HISTOGRAM_SETTINGS = {
  unit: 'us',
  lowestDiscernibleValue: 1,
  highestTrackableValue: 60_000_000,
  significantDigits: 3,
  encoding: 'hdr-compressed-base64',
} as const;

export function newLatencyHistogram(): Histogram {
  return build({
    lowestDiscernibleValue: HISTOGRAM_SETTINGS.lowestDiscernibleValue,
    highestTrackableValue: HISTOGRAM_SETTINGS.highestTrackableValue,
    numberOfSignificantValueDigits: HISTOGRAM_SETTINGS.significantDigits,
    autoResize: false,
    bitBucketSize: 32,
    useWebAssembly: false,
  });
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(base64: string): Histogram {
  return decodeFromCompressedBase64(base64, 32, false);
}
