/**
 * Research harnesses over the in-process training sessions: {@link psyche.research.Sweep} runs a DisTrO grid
 * (top-k, chunk, decay, 1-bit, clients) against an AdamW baseline, deterministically, and tabulates loss against
 * bytes on the wire.
 */
package psyche.research;
