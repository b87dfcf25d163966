/**
 * Run configs: the records of Psyche's {@code config.toml} schema ({@code [config]} and {@code [model.LLM]}),
 * TOML read/write and validation. Unsigned Rust integers map to Java as: u64 and u32 to {@code long},
 * u16 and u8 to {@code int}; the codecs and validators enforce the ranges.
 */
package psyche.config;
