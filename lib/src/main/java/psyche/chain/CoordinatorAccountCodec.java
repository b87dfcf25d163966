package psyche.chain;

import psyche.config.Architecture;
import psyche.config.Checkpoint;
import psyche.config.CoordinatorConfig;
import psyche.config.DataLocation;
import psyche.config.DataType;
import psyche.config.GcsRepo;
import psyche.config.HttpLocation;
import psyche.config.HubRepo;
import psyche.config.LlmModel;
import psyche.config.LrSchedule;
import psyche.config.Optimizer;
import psyche.config.RunMetadata;
import psyche.config.Shuffle;
import psyche.config.TokenSize;
import psyche.coordinator.Client;
import psyche.coordinator.ClientState;
import psyche.coordinator.ClientsState;
import psyche.coordinator.CoordinatorState;
import psyche.coordinator.EpochState;
import psyche.coordinator.InstanceState;
import psyche.coordinator.NodeIdentity;
import psyche.coordinator.Progress;
import psyche.coordinator.Pubkey;
import psyche.coordinator.Rates;
import psyche.coordinator.Round;
import psyche.coordinator.RunState;
import psyche.coordinator.SolanaClient;
import psyche.coordinator.Witness;
import psyche.coordinator.WitnessBloom;
import psyche.coordinator.WitnessProof;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The zero-copy {@code CoordinatorAccount} (spec §7): 8-byte discriminator, then a {@code repr(C)} struct read in
 * place by the program. Offsets below are absolute (discriminator included). The spec lists the top-level ones
 * (verified there against fixture v1); the ones inside unions and rounds follow from {@code repr(C)}: fields in
 * declaration order, each aligned to its own alignment, data-carrying enums = u32 tag + union aligned to the
 * payload's alignment, fieldless enums = u32. {@code HubRepo} and {@code Option<f32>} are Rust-layout (compiler
 * chosen); their observed layouts are used.
 */
public final class CoordinatorAccountCodec {
    private CoordinatorAccountCodec() {}

    public static final int SIZE = 119_160;
    /** sha256("account:CoordinatorAccount")[0..8]. */
    public static final byte[] DISCRIMINATOR = Borsh.unhex("ef21b1372c9b562b");
    public static final long VERSION = 1;

    // --- top level (spec §7) ---
    static final int VERSION_AT = 8;
    static final int META = 16, META_NAME = META, META_DESCRIPTION = META + 64, META_NUM_PARAMETERS = META + 344,
            META_VOCAB_SIZE = META + 352;
    static final int COORD = 376, RUN_ID = COORD, RUN_STATE = 408, MODEL = 416, CONFIG = 968, PROGRESS = 1032,
            EPOCH = 1048, RUN_STATE_START = 94_408, PENDING_PAUSE = 94_416;
    static final int CLIENTS_STATE = 94_424, SOLANA_CLIENT_SIZE = 96, CLIENTS_LEN = CLIENTS_STATE + 24_576,
            NEXT_ACTIVE = CLIENTS_STATE + 24_584, CURRENT_RATES = CLIENTS_STATE + 24_592,
            FUTURE_RATES = CLIENTS_STATE + 24_608;
    static final int IS_WARMUP_FIRST_TICK = 119_048, IS_TRAINING_FIRST_TICK = 119_049, CLIENT_VERSION = 119_050,
            NONCE = 119_152;

    // --- Model::LLM: u32 tag at MODEL, LLM at MODEL+8 (LLM aligns to 8: the f64s of the LR schedule) ---
    static final int LLM = MODEL + 8;
    static final int LLM_MAX_SEQ_LEN = LLM, LLM_COLD_START = LLM + 4, LLM_ARCHITECTURE = LLM + 8,
            LLM_CHECKPOINT = LLM + 12, LLM_DATA_TYPE = LLM + 148, LLM_DATA_LOCATION = LLM + 152,
            LLM_LR = LLM + 456, LLM_OPTIMIZER = LLM + 512;
    /** Checkpoint union: HubRepo/GcsRepo are align-1 (129 B), so the payload sits right after the u32 tag. */
    static final int CHECKPOINT_PAYLOAD = LLM_CHECKPOINT + 4;
    /** data_location union: the Http payload aligns to 4. */
    static final int DATA_PAYLOAD = LLM_DATA_LOCATION + 4;
    static final int HTTP_LOCATION_PAYLOAD = DATA_PAYLOAD + 4, HTTP_TOKEN_SIZE = DATA_PAYLOAD + 260,
            HTTP_SHUFFLE = DATA_PAYLOAD + 264;
    /** LR union aligns to 8 (f64 fields), so after the u32 tag come 4 padding bytes. */
    static final int LR_PAYLOAD = LLM_LR + 8;
    static final int OPTIMIZER_PAYLOAD = LLM_OPTIMIZER + 4;

    // --- epoch state, relative to EPOCH ---
    static final int ROUND_SIZE = 14_112, WITNESS_SIZE = 440, ROUND_WITNESSES_LEN = 14_080, ROUND_DATA_INDEX = 14_088,
            ROUND_RANDOM_SEED = 14_096, ROUND_HEIGHT = 14_104, ROUND_CLIENTS_LEN = 14_108, ROUND_TIE = 14_110;
    static final int EPOCH_CLIENTS = 56_448, EPOCH_EXITED = 74_888, CLIENT_SIZE = 72, CLIENT_VEC_LEN = 256 * 72,
            ROUNDS_HEAD = 93_328, START_STEP = 93_332, LAST_STEP = 93_336, START_TIMESTAMP = 93_344,
            FIRST_ROUND = 93_352, COLD_START_EPOCH = 93_353;
    static final int BLOOM_SIZE = 192;

    static final int MAX_CLIENTS = 256, MAX_WITNESSES = 32;

    // ------------------------------------------------------------------------------------------------ decode

    /** Checks size, discriminator and version (in that order), then reads every field. */
    public static CoordinatorAccount decode(byte[] data) {
        validate(data);
        In in = new In(data);
        try {
            RunMetadata metadata = new RunMetadata(in.str(META_NAME, 64), in.str(META_DESCRIPTION, 280),
                    in.u64(META_NUM_PARAMETERS), in.u64(META_VOCAB_SIZE));
            CoordinatorState coordinator = new CoordinatorState(in.str(RUN_ID, 32),
                    in.enumAt(RUN_STATE, RunState.values(), "run_state", in.u8(RUN_STATE)), decodeModel(in),
                    decodeConfig(in), new Progress(in.u16(PROGRESS), in.u32(PROGRESS + 4), in.u64(PROGRESS + 8)),
                    decodeEpoch(in), in.u64(RUN_STATE_START), in.bool(PENDING_PAUSE));
            ClientsState clients = decodeClientsState(in);
            InstanceState state = new InstanceState(metadata, coordinator, clients, in.bool(IS_WARMUP_FIRST_TICK),
                    in.bool(IS_TRAINING_FIRST_TICK), in.str(CLIENT_VERSION, 96));
            return new CoordinatorAccount(state, in.u64(NONCE));
        } catch (IllegalArgumentException e) {
            // a value type refused what the bytes hold (e.g. a bad Shuffle): still a decode error, typed
            throw new AccountDecodeException(AccountDecodeException.Reason.FIELD,
                    "coordinator account: " + e.getMessage(), e);
        }
    }

    /** Size, discriminator and version checks alone, each failing with its own {@link AccountDecodeException}. */
    public static void validate(byte[] data) {
        if (data == null || data.length != SIZE) {
            throw new AccountDecodeException(AccountDecodeException.Reason.SIZE, "coordinator account has "
                    + (data == null ? "no data" : data.length + " bytes") + ", expected exactly " + SIZE
                    + " (layout version " + VERSION + "): is this a coordinator account, or one from an older program?");
        }
        if (!Borsh.startsWith(data, DISCRIMINATOR)) {
            throw new AccountDecodeException(AccountDecodeException.Reason.DISCRIMINATOR,
                    "coordinator account discriminator is " + Borsh.hex(java.util.Arrays.copyOf(data, 8))
                            + ", expected " + Borsh.hex(DISCRIMINATOR) + ": the data is not a CoordinatorAccount");
        }
        long version = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).getLong(VERSION_AT);
        if (version != VERSION) {
            throw new AccountDecodeException(AccountDecodeException.Reason.VERSION, "coordinator account version is "
                    + Long.toUnsignedString(version) + ", expected " + VERSION
                    + ": the program's layout changed; use a matching decoder");
        }
    }

    private static CoordinatorConfig decodeConfig(In in) {
        int c = CONFIG;
        return new CoordinatorConfig(in.u64(c), in.u64(c + 8), in.u64(c + 16), in.u64(c + 24), in.u64(c + 32),
                in.u64(c + 40), in.u32(c + 48), in.u16(c + 52), in.u16(c + 54), in.u16(c + 56), in.u16(c + 58),
                in.u16(c + 60), in.u8(c + 62), in.u8(c + 63));
    }

    private static LlmModel decodeModel(In in) {
        in.tag(MODEL, 1, "model");
        Architecture architecture = in.enumAt(LLM_ARCHITECTURE, Architecture.values(), "model.architecture",
                in.u32tag(LLM_ARCHITECTURE));
        int cpTag = in.tag(LLM_CHECKPOINT, 6, "model.checkpoint");
        Checkpoint checkpoint = switch (cpTag) {
            case 0 -> new Checkpoint.Ephemeral();
            case 1 -> new Checkpoint.Dummy(hubRepo(in, CHECKPOINT_PAYLOAD));
            case 2 -> new Checkpoint.Hub(hubRepo(in, CHECKPOINT_PAYLOAD));
            case 3 -> new Checkpoint.P2P(hubRepo(in, CHECKPOINT_PAYLOAD));
            case 4 -> new Checkpoint.Gcs(gcsRepo(in, CHECKPOINT_PAYLOAD));
            default -> new Checkpoint.P2PGcs(gcsRepo(in, CHECKPOINT_PAYLOAD));
        };
        DataType dataType = in.enumAt(LLM_DATA_TYPE, DataType.values(), "model.data_type", in.u32tag(LLM_DATA_TYPE));
        return new LlmModel(in.u32(LLM_MAX_SEQ_LEN), in.u32(LLM_COLD_START), architecture, checkpoint, dataType,
                decodeDataLocation(in), decodeLr(in), decodeOptimizer(in));
    }

    /** Observed Rust layout: {@code revision: Option<FixedString<64>>} (tag byte + 64) first, then repo_id. */
    private static HubRepo hubRepo(In in, int at) {
        return new HubRepo(in.str(at + 65, 64), in.optionStr(at, "checkpoint.revision"));
    }

    /**
     * {@code GcsRepo { bucket: FixedString<64>, prefix: Option<FixedString<64>> }} is Rust-layout too, with exactly
     * HubRepo's field types in the same order, so rustc lays it out the same way: prefix (tag + 64) first, then
     * bucket. Inferred, not observed: no fixture holds a Gcs checkpoint.
     */
    private static GcsRepo gcsRepo(In in, int at) {
        return new GcsRepo(in.str(at + 65, 64), in.optionStr(at, "checkpoint.prefix"));
    }

    private static DataLocation decodeDataLocation(In in) {
        int p = DATA_PAYLOAD;
        return switch (in.tag(LLM_DATA_LOCATION, 6, "model.data_location")) {
            case 0 -> new DataLocation.Dummy();
            case 1 -> new DataLocation.Server(in.str(p, 64));
            case 2 -> new DataLocation.Local(in.str(p, 192));
            case 3 -> {
                int lp = HTTP_LOCATION_PAYLOAD;
                HttpLocation location = switch (in.tag(DATA_PAYLOAD, 3, "model.data_location.Http.location")) {
                    case 0 -> new HttpLocation.SingleUrl(in.str(lp, 192));
                    // repr(C) struct variant: template 64, start_index u32 @64, n_left_pad_zeros u8 @68, num_files u32 @72
                    case 1 -> new HttpLocation.NumberedFiles(in.str(lp, 64), in.u32(lp + 64), in.u8(lp + 68), in.u32(lp + 72));
                    default -> new HttpLocation.Gcp(in.str(lp, 64), in.str(lp + 64, 192));
                };
                TokenSize tokenSize = in.enumAt(HTTP_TOKEN_SIZE, TokenSize.values(), "token_size_in_bytes",
                        in.u32tag(HTTP_TOKEN_SIZE));
                Shuffle shuffle = in.tag(HTTP_SHUFFLE, 2, "shuffle") == 0 ? new Shuffle.DontShuffle()
                        : new Shuffle.Seeded(in.raw(HTTP_SHUFFLE + 4, 32));
                yield new DataLocation.Http(location, tokenSize, shuffle);
            }
            case 4 -> new DataLocation.WeightedHttp(in.str(p, 192));
            default -> new DataLocation.Preprocessed(in.str(p, 192));
        };
    }

    private static LrSchedule decodeLr(In in) {
        int p = LR_PAYLOAD;
        return switch (in.tag(LLM_LR, 4, "model.lr_schedule")) {
            // ConstantLR { base_lr f64, warmup_init_lr f64, warmup_steps u32 }
            case 0 -> new LrSchedule.Constant(in.f64(p), in.f64(p + 8), in.u32(p + 16));
            // LinearLR / CosineLR { base_lr, warmup_init_lr, final_lr: f64, warmup_steps, total_steps: u32 }
            case 1 -> new LrSchedule.Linear(in.f64(p), in.f64(p + 8), in.f64(p + 16), in.u32(p + 24), in.u32(p + 28));
            case 2 -> new LrSchedule.Cosine(in.f64(p), in.f64(p + 8), in.f64(p + 16), in.u32(p + 24), in.u32(p + 28));
            // WarmupStableDecayLR { 4 × f64, then warmup, stable, cosine_decay, linear_decay steps: u32 }
            default -> new LrSchedule.WarmupStableDecay(in.f64(p), in.f64(p + 8), in.f64(p + 16), in.f64(p + 24),
                    in.u32(p + 32), in.u32(p + 36), in.u32(p + 40), in.u32(p + 44));
        };
    }

    private static Optimizer decodeOptimizer(In in) {
        int p = OPTIMIZER_PAYLOAD;
        return switch (in.tag(LLM_OPTIMIZER, 3, "model.optimizer")) {
            case 0 -> new Optimizer.Dummy();
            // AdamW { betas [f32;2], weight_decay f32, eps f32, clip_grad_norm Option<f32> (tag @16, value @20) }
            case 1 -> new Optimizer.AdamW(in.f32(p), in.f32(p + 4), in.f32(p + 8), in.f32(p + 12),
                    in.optionF32(p + 16, "clip_grad_norm"));
            // Distro { clip Option<f32> @0, weight_decay Option<f32> @8, decay f32 @16, topk u16 @20, chunk u16 @22, 1bit @24 }
            default -> new Optimizer.Distro(in.optionF32(p, "clip_grad_norm"), in.optionF32(p + 8, "weight_decay"),
                    in.f32(p + 16), in.u16(p + 20), in.u16(p + 22), in.bool(p + 24));
        };
    }

    private static EpochState decodeEpoch(In in) {
        List<Round> rounds = new ArrayList<>(4);
        for (int r = 0; r < 4; r++) {
            int at = EPOCH + r * ROUND_SIZE;
            int n = in.len(at + ROUND_WITNESSES_LEN, MAX_WITNESSES, "round " + r + " witnesses");
            List<Witness> witnesses = new ArrayList<>(n);
            for (int w = 0; w < n; w++) {
                int wa = at + w * WITNESS_SIZE;
                witnesses.add(new Witness(new WitnessProof(in.u64(wa), in.u64(wa + 8), in.bool(wa + 16)),
                        bloom(in, wa + 24), bloom(in, wa + 24 + BLOOM_SIZE), in.raw(wa + 24 + 2 * BLOOM_SIZE, 32)));
            }
            rounds.add(new Round(witnesses, in.u64(at + ROUND_DATA_INDEX), in.u64(at + ROUND_RANDOM_SEED),
                    in.u32(at + ROUND_HEIGHT), in.u16(at + ROUND_CLIENTS_LEN), in.u16(at + ROUND_TIE)));
        }
        return new EpochState(rounds, clients(in, EPOCH + EPOCH_CLIENTS, "epoch clients"),
                clients(in, EPOCH + EPOCH_EXITED, "exited clients"), in.u32(EPOCH + ROUNDS_HEAD),
                in.u32(EPOCH + START_STEP), in.u32(EPOCH + LAST_STEP), in.u64(EPOCH + START_TIMESTAMP),
                in.bool(EPOCH + FIRST_ROUND), in.bool(EPOCH + COLD_START_EPOCH));
    }

    private static WitnessBloom bloom(In in, int at) {
        long[] keys = new long[WitnessBloom.KEYS];
        long[] bits = new long[WitnessBloom.WORDS];
        for (int i = 0; i < keys.length; i++) keys[i] = in.u64(at + 8 * i);
        for (int i = 0; i < bits.length; i++) bits[i] = in.u64(at + 64 + 8 * i);
        return new WitnessBloom(keys, bits);
    }

    private static List<Client> clients(In in, int at, String what) {
        int n = in.len(at + CLIENT_VEC_LEN, MAX_CLIENTS, what);
        List<Client> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = at + i * CLIENT_SIZE;
            out.add(new Client(identity(in, c), in.enumAt(c + 64, ClientState.values(), what + " state", in.u8(c + 64)),
                    in.u32(c + 68)));
        }
        return out;
    }

    private static NodeIdentity identity(In in, int at) {
        return new NodeIdentity(Pubkey.of(in.raw(at, 32)), Pubkey.of(in.raw(at + 32, 32)));
    }

    private static ClientsState decodeClientsState(In in) {
        int n = in.len(CLIENTS_LEN, MAX_CLIENTS, "registered clients");
        List<SolanaClient> clients = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int c = CLIENTS_STATE + i * SOLANA_CLIENT_SIZE;
            // bytes 64..72 are `_unused: [u8; 8]`
            clients.add(new SolanaClient(identity(in, c), in.u64(c + 72), in.u64(c + 80), in.u64(c + 88)));
        }
        return new ClientsState(clients, in.u64(NEXT_ACTIVE), new Rates(in.u64(CURRENT_RATES), in.u64(CURRENT_RATES + 8)),
                new Rates(in.u64(FUTURE_RATES), in.u64(FUTURE_RATES + 8)));
    }

    // ------------------------------------------------------------------------------------------------ encode

    /** Writes a whole account: discriminator, version 1, every field; padding and unused union bytes are zero. */
    public static byte[] encode(CoordinatorAccount account) {
        Out o = new Out();
        o.raw(0, DISCRIMINATOR);
        o.u64(VERSION_AT, VERSION);
        InstanceState s = account.state();
        RunMetadata m = s.metadata();
        o.str(META_NAME, m.name(), 64, "metadata.name");
        o.str(META_DESCRIPTION, m.description(), 280, "metadata.description");
        o.u64(META_NUM_PARAMETERS, m.numParameters());
        o.u64(META_VOCAB_SIZE, m.vocabSize());
        CoordinatorState c = s.coordinator();
        o.str(RUN_ID, c.runId(), 32, "run_id");
        o.u8(RUN_STATE, c.runState().ordinal());
        encodeModel(o, c.model());
        encodeConfig(o, c.config());
        o.u16(PROGRESS, c.progress().epoch());
        o.u32(PROGRESS + 4, c.progress().step());
        o.u64(PROGRESS + 8, c.progress().epochStartDataIndex());
        encodeEpoch(o, c.epochState());
        o.u64(RUN_STATE_START, c.runStateStartUnixTimestamp());
        o.bool(PENDING_PAUSE, c.pendingPause());
        ClientsState cs = s.clientsState();
        for (int i = 0; i < cs.clients().size(); i++) {
            SolanaClient sc = cs.clients().get(i);
            int at = CLIENTS_STATE + i * SOLANA_CLIENT_SIZE;
            identity(o, at, sc.id());
            o.u64(at + 72, sc.earned());
            o.u64(at + 80, sc.slashed());
            o.u64(at + 88, sc.active());
        }
        o.u64(CLIENTS_LEN, cs.clients().size());
        o.u64(NEXT_ACTIVE, cs.nextActive());
        o.u64(CURRENT_RATES, cs.currentEpochRates().earningRateTotalShared());
        o.u64(CURRENT_RATES + 8, cs.currentEpochRates().slashingRatePerClient());
        o.u64(FUTURE_RATES, cs.futureEpochRates().earningRateTotalShared());
        o.u64(FUTURE_RATES + 8, cs.futureEpochRates().slashingRatePerClient());
        o.bool(IS_WARMUP_FIRST_TICK, s.isWarmupFirstTick());
        o.bool(IS_TRAINING_FIRST_TICK, s.isTrainingFirstTick());
        o.str(CLIENT_VERSION, s.clientVersion(), 96, "client_version");
        o.u64(NONCE, account.nonce());
        return o.data;
    }

    private static void encodeConfig(Out o, CoordinatorConfig k) {
        int c = CONFIG;
        o.u64(c, k.warmupTime());
        o.u64(c + 8, k.cooldownTime());
        o.u64(c + 16, k.maxRoundTrainTime());
        o.u64(c + 24, k.roundWitnessTime());
        o.u64(c + 32, k.globalBatchSizeWarmupTokens());
        o.u64(c + 40, k.epochTime());
        o.u32(c + 48, k.totalSteps());
        o.u16(c + 52, k.initMinClients());
        o.u16(c + 54, k.minClients());
        o.u16(c + 56, k.witnessNodes());
        o.u16(c + 58, k.globalBatchSizeStart());
        o.u16(c + 60, k.globalBatchSizeEnd());
        o.u8(c + 62, k.verificationPercent());
        o.u8(c + 63, k.waitingForMembersExtraTime());
    }

    private static void encodeModel(Out o, LlmModel m) {
        o.u32(MODEL, 0); // Model::LLM
        o.u32(LLM_MAX_SEQ_LEN, m.maxSeqLen());
        o.u32(LLM_COLD_START, m.coldStartWarmupSteps());
        o.u32(LLM_ARCHITECTURE, m.architecture().ordinal());
        Checkpoint cp = m.checkpoint();
        o.u32(LLM_CHECKPOINT, cp.tag());
        int p = CHECKPOINT_PAYLOAD;
        if (cp instanceof Checkpoint.Dummy d) hubRepo(o, p, d.repo());
        else if (cp instanceof Checkpoint.Hub h) hubRepo(o, p, h.repo());
        else if (cp instanceof Checkpoint.P2P h) hubRepo(o, p, h.repo());
        else if (cp instanceof Checkpoint.Gcs g) gcsRepo(o, p, g.repo());
        else if (cp instanceof Checkpoint.P2PGcs g) gcsRepo(o, p, g.repo());
        o.u32(LLM_DATA_TYPE, m.dataType().ordinal());
        encodeDataLocation(o, m.dataLocation());
        encodeLr(o, m.lrSchedule());
        encodeOptimizer(o, m.optimizer());
    }

    private static void hubRepo(Out o, int at, HubRepo r) {
        o.optionStr(at, r.revision(), "checkpoint.revision");
        o.str(at + 65, r.repoId(), 64, "checkpoint.repo_id");
    }

    private static void gcsRepo(Out o, int at, GcsRepo r) {
        o.optionStr(at, r.prefix(), "checkpoint.prefix");
        o.str(at + 65, r.bucket(), 64, "checkpoint.bucket");
    }

    private static void encodeDataLocation(Out o, DataLocation d) {
        o.u32(LLM_DATA_LOCATION, d.tag());
        int p = DATA_PAYLOAD;
        if (d instanceof DataLocation.Server s) o.str(p, s.address(), 64, "data_location.Server");
        else if (d instanceof DataLocation.Local l) o.str(p, l.path(), 192, "data_location.Local");
        else if (d instanceof DataLocation.WeightedHttp w) o.str(p, w.url(), 192, "data_location.WeightedHttp");
        else if (d instanceof DataLocation.Preprocessed w) o.str(p, w.location(), 192, "data_location.Preprocessed");
        else if (d instanceof DataLocation.Http h) {
            o.u32(DATA_PAYLOAD, h.location().tag());
            int lp = HTTP_LOCATION_PAYLOAD;
            if (h.location() instanceof HttpLocation.SingleUrl u) o.str(lp, u.url(), 192, "SingleUrl");
            else if (h.location() instanceof HttpLocation.NumberedFiles n) {
                o.str(lp, n.urlTemplate(), 64, "NumberedFiles.url_template");
                o.u32(lp + 64, n.startIndex());
                o.u8(lp + 68, n.nLeftPadZeros());
                o.u32(lp + 72, n.numFiles());
            } else if (h.location() instanceof HttpLocation.Gcp g) {
                o.str(lp, g.bucketName(), 64, "Gcp.bucket_name");
                o.str(lp + 64, g.filterDirectory(), 192, "Gcp.filter_directory");
            }
            o.u32(HTTP_TOKEN_SIZE, h.tokenSizeInBytes().ordinal());
            o.u32(HTTP_SHUFFLE, h.shuffle().tag());
            if (h.shuffle() instanceof Shuffle.Seeded s) o.raw(HTTP_SHUFFLE + 4, s.seed());
        }
    }

    private static void encodeLr(Out o, LrSchedule lr) {
        o.u32(LLM_LR, lr.tag());
        int p = LR_PAYLOAD;
        if (lr instanceof LrSchedule.Constant c) {
            o.f64(p, c.baseLr()); o.f64(p + 8, c.warmupInitLr()); o.u32(p + 16, c.warmupSteps());
        } else if (lr instanceof LrSchedule.Linear l) {
            o.f64(p, l.baseLr()); o.f64(p + 8, l.warmupInitLr()); o.f64(p + 16, l.finalLr());
            o.u32(p + 24, l.warmupSteps()); o.u32(p + 28, l.totalSteps());
        } else if (lr instanceof LrSchedule.Cosine l) {
            o.f64(p, l.baseLr()); o.f64(p + 8, l.warmupInitLr()); o.f64(p + 16, l.finalLr());
            o.u32(p + 24, l.warmupSteps()); o.u32(p + 28, l.totalSteps());
        } else if (lr instanceof LrSchedule.WarmupStableDecay w) {
            o.f64(p, w.baseLr()); o.f64(p + 8, w.warmupInitLr()); o.f64(p + 16, w.cosineDecayFinalLr());
            o.f64(p + 24, w.linearDecayFinalLr()); o.u32(p + 32, w.warmupSteps()); o.u32(p + 36, w.stableSteps());
            o.u32(p + 40, w.cosineDecaySteps()); o.u32(p + 44, w.linearDecaySteps());
        }
    }

    private static void encodeOptimizer(Out o, Optimizer opt) {
        o.u32(LLM_OPTIMIZER, opt.tag());
        int p = OPTIMIZER_PAYLOAD;
        if (opt instanceof Optimizer.AdamW a) {
            o.f32(p, a.beta1()); o.f32(p + 4, a.beta2()); o.f32(p + 8, a.weightDecay()); o.f32(p + 12, a.eps());
            o.optionF32(p + 16, a.clipGradNorm());
        } else if (opt instanceof Optimizer.Distro d) {
            o.optionF32(p, d.clipGradNorm());
            o.optionF32(p + 8, d.weightDecay());
            o.f32(p + 16, d.compressionDecay());
            o.u16(p + 20, d.compressionTopk());
            o.u16(p + 22, d.compressionChunk());
            o.bool(p + 24, d.quantize1bit());
        }
    }

    private static void encodeEpoch(Out o, EpochState e) {
        for (int r = 0; r < 4; r++) {
            Round round = e.rounds().get(r);
            int at = EPOCH + r * ROUND_SIZE;
            for (int w = 0; w < round.witnesses().size(); w++) {
                Witness wit = round.witnesses().get(w);
                int wa = at + w * WITNESS_SIZE;
                o.u64(wa, wit.proof().position());
                o.u64(wa + 8, wit.proof().index());
                o.bool(wa + 16, wit.proof().witness());
                bloom(o, wa + 24, wit.participantBloom());
                bloom(o, wa + 24 + BLOOM_SIZE, wit.broadcastBloom());
                o.raw(wa + 24 + 2 * BLOOM_SIZE, wit.broadcastMerkle());
            }
            o.u64(at + ROUND_WITNESSES_LEN, round.witnesses().size());
            o.u64(at + ROUND_DATA_INDEX, round.dataIndex());
            o.u64(at + ROUND_RANDOM_SEED, round.randomSeed());
            o.u32(at + ROUND_HEIGHT, round.height());
            o.u16(at + ROUND_CLIENTS_LEN, round.clientsLen());
            o.u16(at + ROUND_TIE, round.tieBreakerTasks());
        }
        clients(o, EPOCH + EPOCH_CLIENTS, e.clients());
        clients(o, EPOCH + EPOCH_EXITED, e.exitedClients());
        o.u32(EPOCH + ROUNDS_HEAD, e.roundsHead());
        o.u32(EPOCH + START_STEP, e.startStep());
        o.u32(EPOCH + LAST_STEP, e.lastStep());
        o.u64(EPOCH + START_TIMESTAMP, e.startTimestamp());
        o.bool(EPOCH + FIRST_ROUND, e.firstRound());
        o.bool(EPOCH + COLD_START_EPOCH, e.coldStartEpoch());
    }

    private static void bloom(Out o, int at, WitnessBloom b) {
        for (int i = 0; i < WitnessBloom.KEYS; i++) o.u64(at + 8 * i, b.key(i));
        for (int i = 0; i < WitnessBloom.WORDS; i++) o.u64(at + 64 + 8 * i, b.word(i));
    }

    private static void clients(Out o, int at, List<Client> clients) {
        for (int i = 0; i < clients.size(); i++) {
            Client c = clients.get(i);
            int ca = at + i * CLIENT_SIZE;
            identity(o, ca, c.id());
            o.u8(ca + 64, c.state().ordinal());
            o.u32(ca + 68, c.exitedHeight());
        }
        o.u64(at + CLIENT_VEC_LEN, clients.size());
    }

    private static void identity(Out o, int at, NodeIdentity id) {
        o.raw(at, id.signer().bytes());
        o.raw(at + 32, id.p2pIdentity().bytes());
    }

    // ------------------------------------------------------------------------------------------------ cursors

    /** Absolute little-endian reads; every range/tag failure becomes a FIELD {@link AccountDecodeException}. */
    private static final class In {
        final ByteBuffer b;
        final byte[] data;

        In(byte[] data) {
            this.data = data;
            this.b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        }

        int u8(int at) { return b.get(at) & 0xff; }
        int u16(int at) { return b.getShort(at) & 0xffff; }
        long u32(int at) { return b.getInt(at) & 0xffffffffL; }
        long u64(int at) { return b.getLong(at); }
        float f32(int at) { return b.getFloat(at); }
        double f64(int at) { return b.getDouble(at); }
        boolean bool(int at) { return u8(at) != 0; }
        byte[] raw(int at, int n) { return java.util.Arrays.copyOfRange(data, at, at + n); }
        String str(int at, int n) { return FixedString.decode(raw(at, n)); }

        int u32tag(int at) {
            long v = u32(at);
            return v > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) v;
        }

        /** A u32 enum tag that must be below {@code count}. */
        int tag(int at, int count, String what) {
            int t = u32tag(at);
            if (t >= count) throw field(what + " tag is " + Integer.toUnsignedString(b.getInt(at)) + " at offset " + at
                    + ", expected 0.." + (count - 1));
            return t;
        }

        <E extends Enum<E>> E enumAt(int at, E[] values, String what, int tag) {
            if (tag < 0 || tag >= values.length) {
                throw field(what + " is " + tag + " at offset " + at + ", expected 0.." + (values.length - 1));
            }
            return values[tag];
        }

        int len(int at, int max, String what) {
            long n = u64(at);
            if (n < 0 || n > max) {
                throw field(what + " length is " + Long.toUnsignedString(n) + " at offset " + at + ", at most " + max);
            }
            return (int) n;
        }

        Optional<String> optionStr(int at, String what) {
            int tag = u8(at);
            if (tag > 1) throw field(what + " option tag is " + tag + " at offset " + at + ", expected 0 or 1");
            return tag == 0 ? Optional.empty() : Optional.of(str(at + 1, 64));
        }

        /** Observed Rust layout of {@code Option<f32>}: tag at +0 (u8, padded to 4), value at +4. */
        Optional<Float> optionF32(int at, String what) {
            int tag = u8(at);
            if (tag > 1) throw field(what + " option tag is " + tag + " at offset " + at + ", expected 0 or 1");
            return tag == 0 ? Optional.empty() : Optional.of(f32(at + 4));
        }

        static AccountDecodeException field(String msg) {
            return new AccountDecodeException(AccountDecodeException.Reason.FIELD, "coordinator account: " + msg);
        }
    }

    private static final class Out {
        final byte[] data = new byte[SIZE];
        final ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);

        void u8(int at, int v) { b.put(at, (byte) v); }
        void bool(int at, boolean v) { u8(at, v ? 1 : 0); }
        void u16(int at, int v) { b.putShort(at, (short) v); }
        void u32(int at, long v) { b.putInt(at, (int) v); }
        void u64(int at, long v) { b.putLong(at, v); }
        void f32(int at, float v) { b.putFloat(at, v); }
        void f64(int at, double v) { b.putDouble(at, v); }
        void raw(int at, byte[] v) { System.arraycopy(v, 0, data, at, v.length); }
        void str(int at, String s, int len, String field) { raw(at, FixedString.encode(s, len, field)); }

        void optionStr(int at, Optional<String> v, String field) {
            if (v.isPresent()) {
                u8(at, 1);
                str(at + 1, v.get(), 64, field);
            }
        }

        void optionF32(int at, Optional<Float> v) {
            if (v.isPresent()) {
                u8(at, 1);
                f32(at + 4, v.get());
            }
        }
    }
}
