package psyche.chain;

import psyche.config.*;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Progress;
import psyche.coordinator.WitnessBloom;
import psyche.coordinator.WitnessProof;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Borsh encodings of Psyche's instruction argument types (spec §7): declaration order, enums as u8 variant index,
 * {@code FixedString<L>} as L bytes, {@code FixedVec<T,N>} as all N slots then a u64 length, Bloom as 8 u64 keys
 * then 16 u64 words. Unlike the zero-copy account, Borsh has no padding and no field reordering.
 */
public final class BorshTypes {
    private BorshTypes() {}

    // --- RunMetadata { name FS<64>, description FS<280>, num_parameters u64, vocab_size u64 }
    public static void metadata(Borsh.Writer w, RunMetadata m) {
        w.fixedString(m.name(), 64, "metadata.name").fixedString(m.description(), 280, "metadata.description")
                .u64(m.numParameters()).u64(m.vocabSize());
    }

    public static RunMetadata metadata(Borsh.Reader r) {
        return new RunMetadata(r.fixedString(64, "name"), r.fixedString(280, "description"), r.u64("num_parameters"),
                r.u64("vocab_size"));
    }

    // --- CoordinatorConfig: 64 bytes, field order
    public static void config(Borsh.Writer w, CoordinatorConfig c) {
        w.u64(c.warmupTime()).u64(c.cooldownTime()).u64(c.maxRoundTrainTime()).u64(c.roundWitnessTime())
                .u64(c.globalBatchSizeWarmupTokens()).u64(c.epochTime()).u32(c.totalSteps()).u16(c.initMinClients())
                .u16(c.minClients()).u16(c.witnessNodes()).u16(c.globalBatchSizeStart()).u16(c.globalBatchSizeEnd())
                .u8(c.verificationPercent()).u8(c.waitingForMembersExtraTime());
    }

    public static CoordinatorConfig config(Borsh.Reader r) {
        return new CoordinatorConfig(r.u64("warmup_time"), r.u64("cooldown_time"), r.u64("max_round_train_time"),
                r.u64("round_witness_time"), r.u64("global_batch_size_warmup_tokens"), r.u64("epoch_time"),
                r.u32("total_steps"), r.u16("init_min_clients"), r.u16("min_clients"), r.u16("witness_nodes"),
                r.u16("global_batch_size_start"), r.u16("global_batch_size_end"), r.u8("verification_percent"),
                r.u8("waiting_for_members_extra_time"));
    }

    // --- CoordinatorProgress { epoch u16, step u32, epoch_start_data_index u64 }
    public static void progress(Borsh.Writer w, Progress p) { w.u16(p.epoch()).u32(p.step()).u64(p.epochStartDataIndex()); }

    public static Progress progress(Borsh.Reader r) {
        return new Progress(r.u16("epoch"), r.u32("step"), r.u64("epoch_start_data_index"));
    }

    // --- HubRepo { repo_id FS<64>, revision Option<FS<64>> } (Borsh: declaration order)
    public static void hubRepo(Borsh.Writer w, HubRepo h) {
        w.fixedString(h.repoId(), 64, "repo_id").option(h.revision(), (x, s) -> x.fixedString(s, 64, "revision"));
    }

    public static HubRepo hubRepo(Borsh.Reader r) {
        return new HubRepo(r.fixedString(64, "repo_id"), r.option("revision", x -> x.fixedString(64, "revision")));
    }

    public static void gcsRepo(Borsh.Writer w, GcsRepo g) {
        w.fixedString(g.bucket(), 64, "bucket").option(g.prefix(), (x, s) -> x.fixedString(s, 64, "prefix"));
    }

    public static GcsRepo gcsRepo(Borsh.Reader r) {
        return new GcsRepo(r.fixedString(64, "bucket"), r.option("prefix", x -> x.fixedString(64, "prefix")));
    }

    // --- model::Checkpoint: u8 variant (Ephemeral, Dummy, Hub, P2P, Gcs, P2PGcs) then the variant's repo
    public static void checkpoint(Borsh.Writer w, Checkpoint cp) {
        w.u8(cp.tag());
        if (cp instanceof Checkpoint.Dummy d) hubRepo(w, d.repo());
        else if (cp instanceof Checkpoint.Hub h) hubRepo(w, h.repo());
        else if (cp instanceof Checkpoint.P2P h) hubRepo(w, h.repo());
        else if (cp instanceof Checkpoint.Gcs g) gcsRepo(w, g.repo());
        else if (cp instanceof Checkpoint.P2PGcs g) gcsRepo(w, g.repo());
    }

    public static Checkpoint checkpoint(Borsh.Reader r) {
        return switch (r.variant("checkpoint", 6)) {
            case 0 -> new Checkpoint.Ephemeral();
            case 1 -> new Checkpoint.Dummy(hubRepo(r));
            case 2 -> new Checkpoint.Hub(hubRepo(r));
            case 3 -> new Checkpoint.P2P(hubRepo(r));
            case 4 -> new Checkpoint.Gcs(gcsRepo(r));
            default -> new Checkpoint.P2PGcs(gcsRepo(r));
        };
    }

    // --- Model::LLM
    public static void model(Borsh.Writer w, LlmModel m) {
        w.u8(0).u32(m.maxSeqLen()).u32(m.coldStartWarmupSteps()).u8(m.architecture().ordinal());
        checkpoint(w, m.checkpoint());
        w.u8(m.dataType().ordinal());
        DataLocation d = m.dataLocation();
        w.u8(d.tag());
        if (d instanceof DataLocation.Server s) w.fixedString(s.address(), 64, "data_location.Server");
        else if (d instanceof DataLocation.Local l) w.fixedString(l.path(), 192, "data_location.Local");
        else if (d instanceof DataLocation.WeightedHttp x) w.fixedString(x.url(), 192, "data_location.WeightedHttp");
        else if (d instanceof DataLocation.Preprocessed x) w.fixedString(x.location(), 192, "data_location.Preprocessed");
        else if (d instanceof DataLocation.Http h) {
            w.u8(h.location().tag());
            if (h.location() instanceof HttpLocation.SingleUrl u) w.fixedString(u.url(), 192, "SingleUrl");
            else if (h.location() instanceof HttpLocation.NumberedFiles n) {
                w.fixedString(n.urlTemplate(), 64, "url_template").u32(n.startIndex()).u8(n.nLeftPadZeros()).u32(n.numFiles());
            } else if (h.location() instanceof HttpLocation.Gcp g) {
                w.fixedString(g.bucketName(), 64, "bucket_name").fixedString(g.filterDirectory(), 192, "filter_directory");
            }
            w.u8(h.tokenSizeInBytes().ordinal());
            w.u8(h.shuffle().tag());
            if (h.shuffle() instanceof Shuffle.Seeded s) w.raw(s.seed());
        }
        LrSchedule lr = m.lrSchedule();
        w.u8(lr.tag());
        if (lr instanceof LrSchedule.Constant c) w.f64(c.baseLr()).f64(c.warmupInitLr()).u32(c.warmupSteps());
        else if (lr instanceof LrSchedule.Linear l) w.f64(l.baseLr()).f64(l.warmupInitLr()).f64(l.finalLr()).u32(l.warmupSteps()).u32(l.totalSteps());
        else if (lr instanceof LrSchedule.Cosine l) w.f64(l.baseLr()).f64(l.warmupInitLr()).f64(l.finalLr()).u32(l.warmupSteps()).u32(l.totalSteps());
        else if (lr instanceof LrSchedule.WarmupStableDecay s) {
            w.f64(s.baseLr()).f64(s.warmupInitLr()).f64(s.cosineDecayFinalLr()).f64(s.linearDecayFinalLr())
                    .u32(s.warmupSteps()).u32(s.stableSteps()).u32(s.cosineDecaySteps()).u32(s.linearDecaySteps());
        }
        Optimizer o = m.optimizer();
        w.u8(o.tag());
        if (o instanceof Optimizer.AdamW a) {
            w.f32(a.beta1()).f32(a.beta2()).f32(a.weightDecay()).f32(a.eps()).option(a.clipGradNorm(), Borsh.Writer::f32);
        } else if (o instanceof Optimizer.Distro x) {
            w.option(x.clipGradNorm(), Borsh.Writer::f32).option(x.weightDecay(), Borsh.Writer::f32)
                    .f32(x.compressionDecay()).u16(x.compressionTopk()).u16(x.compressionChunk()).bool(x.quantize1bit());
        }
    }

    public static LlmModel model(Borsh.Reader r) {
        r.variant("model", 1);
        long maxSeqLen = r.u32("max_seq_len");
        long coldStart = r.u32("cold_start_warmup_steps");
        Architecture arch = Architecture.values()[r.variant("architecture", Architecture.values().length)];
        Checkpoint cp = checkpoint(r);
        DataType dataType = DataType.values()[r.variant("data_type", DataType.values().length)];
        DataLocation data = switch (r.variant("data_location", 6)) {
            case 0 -> new DataLocation.Dummy();
            case 1 -> new DataLocation.Server(r.fixedString(64, "Server"));
            case 2 -> new DataLocation.Local(r.fixedString(192, "Local"));
            case 3 -> {
                HttpLocation loc = switch (r.variant("Http.location", 3)) {
                    case 0 -> new HttpLocation.SingleUrl(r.fixedString(192, "SingleUrl"));
                    case 1 -> new HttpLocation.NumberedFiles(r.fixedString(64, "url_template"), r.u32("start_index"),
                            r.u8("n_left_pad_zeros"), r.u32("num_files"));
                    default -> new HttpLocation.Gcp(r.fixedString(64, "bucket_name"), r.fixedString(192, "filter_directory"));
                };
                TokenSize ts = TokenSize.values()[r.variant("token_size_in_bytes", 2)];
                Shuffle sh = r.variant("shuffle", 2) == 0 ? new Shuffle.DontShuffle() : new Shuffle.Seeded(r.raw(32, "seed"));
                yield new DataLocation.Http(loc, ts, sh);
            }
            case 4 -> new DataLocation.WeightedHttp(r.fixedString(192, "WeightedHttp"));
            default -> new DataLocation.Preprocessed(r.fixedString(192, "Preprocessed"));
        };
        LrSchedule lr = switch (r.variant("lr_schedule", 4)) {
            case 0 -> new LrSchedule.Constant(r.f64("base_lr"), r.f64("warmup_init_lr"), r.u32("warmup_steps"));
            case 1 -> new LrSchedule.Linear(r.f64("base_lr"), r.f64("warmup_init_lr"), r.f64("final_lr"),
                    r.u32("warmup_steps"), r.u32("total_steps"));
            case 2 -> new LrSchedule.Cosine(r.f64("base_lr"), r.f64("warmup_init_lr"), r.f64("final_lr"),
                    r.u32("warmup_steps"), r.u32("total_steps"));
            default -> new LrSchedule.WarmupStableDecay(r.f64("base_lr"), r.f64("warmup_init_lr"),
                    r.f64("cosine_decay_final_lr"), r.f64("linear_decay_final_lr"), r.u32("warmup_steps"),
                    r.u32("stable_steps"), r.u32("cosine_decay_steps"), r.u32("linear_decay_steps"));
        };
        Optimizer opt = switch (r.variant("optimizer", 3)) {
            case 0 -> new Optimizer.Dummy();
            case 1 -> new Optimizer.AdamW(r.f32("beta0"), r.f32("beta1"), r.f32("weight_decay"), r.f32("eps"),
                    r.option("clip_grad_norm", x -> x.f32("clip_grad_norm")));
            default -> new Optimizer.Distro(r.option("clip_grad_norm", x -> x.f32("clip_grad_norm")),
                    r.option("weight_decay", x -> x.f32("weight_decay")), r.f32("compression_decay"),
                    r.u16("compression_topk"), r.u16("compression_chunk"), r.bool("quantize_1bit"));
        };
        return new LlmModel(maxSeqLen, coldStart, arch, cp, dataType, data, lr, opt);
    }

    // --- NodeIdentity { signer [u8;32], p2p_identity [u8;32] }
    public static void identity(Borsh.Writer w, NodeIdentity id) { w.pubkey(id.signer()).pubkey(id.p2pIdentity()); }

    public static NodeIdentity identity(Borsh.Reader r) { return new NodeIdentity(r.pubkey("signer"), r.pubkey("p2p_identity")); }

    // --- WitnessProof { position u64, index u64, witness SmallBoolean }
    public static void proof(Borsh.Writer w, WitnessProof p) { w.u64(p.position()).u64(p.index()).bool(p.witness()); }

    public static WitnessProof proof(Borsh.Reader r) {
        return new WitnessProof(r.u64("position"), r.u64("index"), r.u8("witness") != 0);
    }

    public static void bloom(Borsh.Writer w, WitnessBloom b) {
        for (long k : b.keys()) w.u64(k);
        for (long x : b.bits()) w.u64(x);
    }

    public static WitnessBloom bloom(Borsh.Reader r) {
        long[] keys = new long[WitnessBloom.KEYS], bits = new long[WitnessBloom.WORDS];
        for (int i = 0; i < keys.length; i++) keys[i] = r.u64("bloom key");
        for (int i = 0; i < bits.length; i++) bits[i] = r.u64("bloom word");
        return new WitnessBloom(keys, bits);
    }

    /**
     * {@code WitnessMetadata { step u32, tokens_per_sec f32, bandwidth_per_sec f32, loss f32,
     * evals FixedVec<{name FS<32>, value f32}, 8>, prompt_results FixedVec<i32, 16>, prompt_index u8, efficency f32 }}.
     */
    public static void witnessMetadata(Borsh.Writer w, WitnessMetadata m) {
        w.u32(m.step()).f32(m.tokensPerSec()).f32(m.bandwidthPerSec()).f32(m.loss());
        for (int i = 0; i < WitnessMetadata.MAX_EVALS; i++) {
            WitnessMetadata.Eval e = i < m.evals().size() ? m.evals().get(i) : new WitnessMetadata.Eval("", 0);
            w.fixedString(e.name(), 32, "eval name").f32(e.value());
        }
        w.u64(m.evals().size());
        for (int i = 0; i < WitnessMetadata.MAX_PROMPT_RESULTS; i++) {
            w.i32(i < m.promptResults().size() ? m.promptResults().get(i) : 0);
        }
        w.u64(m.promptResults().size());
        w.u8(m.promptIndex()).f32(m.efficiency());
    }

    public static WitnessMetadata witnessMetadata(Borsh.Reader r) {
        long step = r.u32("step");
        float tps = r.f32("tokens_per_sec"), bps = r.f32("bandwidth_per_sec"), loss = r.f32("loss");
        List<WitnessMetadata.Eval> evals = new ArrayList<>();
        for (int i = 0; i < WitnessMetadata.MAX_EVALS; i++) evals.add(new WitnessMetadata.Eval(r.fixedString(32, "eval name"), r.f32("eval value")));
        long ne = r.u64("evals len");
        List<Integer> prompts = new ArrayList<>();
        for (int i = 0; i < WitnessMetadata.MAX_PROMPT_RESULTS; i++) prompts.add(r.i32("prompt result"));
        long np = r.u64("prompt_results len");
        if (ne < 0 || ne > WitnessMetadata.MAX_EVALS || np < 0 || np > WitnessMetadata.MAX_PROMPT_RESULTS) {
            throw new ChainDecodeException("witness metadata: evals len " + ne + " / prompt_results len " + np + " out of range");
        }
        return new WitnessMetadata(step, tps, bps, loss, evals.subList(0, (int) ne), prompts.subList(0, (int) np),
                r.u8("prompt_index"), r.f32("efficency"));
    }

    static <T> Optional<T> opt(Borsh.Reader r, String f, java.util.function.Function<Borsh.Reader, T> item) {
        return r.option(f, item);
    }
}
