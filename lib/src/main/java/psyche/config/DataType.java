package psyche.config;

/** {@code model.LLM.data_type}; declaration order is the tag order. */
public enum DataType { Pretraining, Finetuning }
