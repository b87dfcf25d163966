package psyche.train;

import psyche.config.DataLocation;
import psyche.train.data.TokenDataProvider;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The options every training session has, in-process ({@link Training}) or on a chain
 * ({@code psyche.train.chain.ChainTraining}): how many clients on which device, the model size, the data, how many
 * steps, where checkpoints go and where to resume from, the seed of the initial weights, the LR scale and who listens.
 * Both builders extend {@link SessionBuilder}, which holds them and gives them here; {@link #modelConfig} picks and
 * checks the model for both.
 */
public record SessionOptions(int clients, TorchRuntime.DeviceChoice device, LlamaConfig model, Path dataset, long steps,
                             Path checkpointDir, Path resumeFrom, long seed, double lrScale,
                             List<TrainingListener> listeners) {
    public SessionOptions {
        Objects.requireNonNull(device, "device");
        listeners = List.copyOf(listeners);
    }

    /** The dataset given with {@code optDataset}, else {@code configured} (the run's data location). */
    public DataLocation dataLocation(DataLocation configured) {
        return dataset != null ? new DataLocation.Local(dataset.toString()) : configured;
    }

    /**
     * The model to train: the config of the checkpoint it resumes from ({@code resume}), else {@link #model}, else
     * {@link LlamaConfig#tiny} with the vocabulary of the dataset's tokenizer (or its largest token id); refused when
     * it cannot hold {@code seqLen} positions or the data's tokens.
     */
    public LlamaConfig modelConfig(Optional<Path> resume, TokenDataProvider data, DataLocation location, long seqLen) {
        Optional<Integer> tokenizerVocab = Training.tokenizerVocab(location);
        LlamaConfig mc = resume.isPresent() ? LlamaConfig.read(resume.get().resolve(LlamaModel.CONFIG_FILE))
                : model != null ? model
                : LlamaConfig.tiny(tokenizerVocab.orElseGet(() -> (data.maxTokenId() / 64 + 1) * 64));
        if (seqLen > mc.maxPositionEmbeddings()) {
            throw new TrainingException("max_seq_len " + seqLen + " exceeds the model's max_position_embeddings "
                    + mc.maxPositionEmbeddings());
        }
        if (tokenizerVocab.isPresent() && tokenizerVocab.get() > mc.vocabSize()) {
            throw vocabMismatch(data, "its tokenizer.json has " + tokenizerVocab.get() + " tokens", mc);
        }
        if (location instanceof DataLocation.Local) {
            int max = data.maxTokenId();
            if (max >= mc.vocabSize()) throw vocabMismatch(data, "it holds token id " + max, mc);
        }
        return mc;
    }

    private static TrainingException vocabMismatch(TokenDataProvider data, String what, LlamaConfig mc) {
        return new TrainingException("vocab mismatch between data and model: dataset " + data.describe() + " " + what
                + " but the model's vocab_size is " + mc.vocabSize() + "; use a model with vocab_size >= the tokenizer's, "
                + "or the dataset it was built for");
    }
}
