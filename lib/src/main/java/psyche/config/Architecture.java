package psyche.config;

/** {@code model.LLM.architecture}; declaration order is the Borsh/repr(C) tag order. */
public enum Architecture { HfLlama, HfDeepseek, HfAuto, Torchtitan }
