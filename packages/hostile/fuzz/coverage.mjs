// V8 block coverage as a fuzzing signal: the counts of every block of the scripts under test,
// read (and reset) through the inspector after each input, bucketed as libFuzzer and AFL do.
import { Session } from 'node:inspector';

/**
 * Hit-count buckets (1, 2, 3, 4-7, 8-15, 16-31, 32-127, 128+): a loop running 9 or 10 times is
 * the same feature, one running once or a hundred times is not.
 */
function bucketOf(count) {
  if (count <= 3) return count;
  if (count < 8) return 4;
  if (count < 16) return 5;
  if (count < 32) return 6;
  if (count < 128) return 7;
  return 8;
}

/**
 * Starts precise block coverage. Call before importing the code under test: functions compiled
 * earlier may report only function-level counts.
 * @param {(url: string) => boolean} include which scripts count (by URL)
 */
export function startCoverage(include) {
  const session = new Session();
  session.connect();
  const post = (method, params) => {
    // The in-process session answers synchronously; a missing answer means this assumption broke.
    let answer;
    let failure;
    session.post(method, params, (error, result) => {
      failure = error;
      answer = result;
    });
    if (failure) throw failure;
    if (answer === undefined) throw new Error(`inspector ${method} did not answer synchronously`);
    return answer;
  };
  post('Profiler.enable');
  post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  /** Script id to index; ids are stable for the life of the process. */
  const included = new Map();

  return {
    /**
     * The features seen since the previous call (counts are reset by reading them), as numbers:
     * one per (script, block, bucket). Blocks are identified by script and offsets.
     * @returns {number[]}
     */
    take() {
      const { result } = post('Profiler.takePreciseCoverage');
      const features = [];
      for (const script of result) {
        let index = included.get(script.scriptId);
        if (index === undefined) {
          index = include(script.url) ? included.size + 1 : 0;
          included.set(script.scriptId, index);
        }
        if (index === 0) continue;
        for (const fn of script.functions) {
          for (const range of fn.ranges) {
            if (range.count === 0) continue;
            // Offsets are below 2^20 in our modules; scripts below 2^8.
            features.push(
              ((index * 0x100000 + range.startOffset) * 0x100000 + range.endOffset) * 16 +
                bucketOf(range.count),
            );
          }
        }
      }
      return features;
    },
    stop() {
      post('Profiler.stopPreciseCoverage');
      session.disconnect();
    },
  };
}
