// Regenerate: rustc -O --edition 2021 main.rs -o probe && ./probe > rustc-$(rustc --version | cut -d" " -f2)-output.txt
// Not part of the build: a second source for CoordinatorAccountCodec offsets (see CoordinatorAccount_LayoutProbeTest).
// Layout probe: Psyche's account structs re-declared from spec §1/§2/§5/§7 shapes, offsets printed by rustc.
#![allow(dead_code)]
use std::mem::{offset_of, size_of, zeroed};
#[repr(C)] #[derive(Clone, Copy)] struct FS<const L: usize>([u8; L]);
#[repr(C)] #[derive(Clone, Copy)] struct FixedVec<T: Copy, const N: usize> { data: [T; N], len: u64 }
type SmallBoolean = u8;
#[derive(Clone, Copy)] struct HubRepo { repo_id: FS<64>, revision: Option<FS<64>> }
#[derive(Clone, Copy)] struct GcsRepo { bucket: FS<64>, prefix: Option<FS<64>> }
#[repr(C)] #[derive(Clone, Copy)] enum Checkpoint { Ephemeral, Dummy(HubRepo), Hub(HubRepo), P2P(HubRepo), Gcs(GcsRepo), P2PGcs(GcsRepo) }
#[repr(C)] #[derive(Clone, Copy)] enum Arch { HfLlama, HfDeepseek, HfAuto, Torchtitan }
#[repr(C)] #[derive(Clone, Copy)] enum DataType { Pretraining, Finetuning }
#[repr(C)] #[derive(Clone, Copy)] enum TokenSize { TwoBytes, FourBytes }
#[repr(C)] #[derive(Clone, Copy)] enum Shuffle { DontShuffle, Seeded([u8; 32]) }
#[repr(C)] #[derive(Clone, Copy)] enum HttpLoc { SingleUrl(FS<192>), NumberedFiles { url_template: FS<64>, start_index: u32, n_left_pad_zeros: u8, num_files: u32 }, Gcp { bucket_name: FS<64>, filter_directory: FS<192> } }
#[repr(C)] #[derive(Clone, Copy)] struct Http { location: HttpLoc, token_size_in_bytes: TokenSize, shuffle: Shuffle }
#[repr(C)] #[derive(Clone, Copy)] enum DataLoc { Dummy, Server(FS<64>), Local(FS<192>), Http(Http), WeightedHttp(FS<192>), Preprocessed(FS<192>) }
#[repr(C)] #[derive(Clone, Copy)] struct ConstantLR { base_lr: f64, warmup_init_lr: f64, warmup_steps: u32 }
#[repr(C)] #[derive(Clone, Copy)] struct LinearLR { base_lr: f64, warmup_init_lr: f64, final_lr: f64, warmup_steps: u32, total_steps: u32 }
#[repr(C)] #[derive(Clone, Copy)] struct WsdLR { base_lr: f64, warmup_init_lr: f64, cosine_decay_final_lr: f64, linear_decay_final_lr: f64, warmup_steps: u32, stable_steps: u32, cosine_decay_steps: u32, linear_decay_steps: u32 }
#[repr(C)] #[derive(Clone, Copy)] enum Lr { Constant(ConstantLR), Linear(LinearLR), Cosine(LinearLR), Wsd(WsdLR) }
#[repr(C)] #[derive(Clone, Copy)] enum Opt { Dummy, AdamW { betas: [f32; 2], weight_decay: f32, eps: f32, clip_grad_norm: Option<f32> }, Distro { clip_grad_norm: Option<f32>, weight_decay: Option<f32>, compression_decay: f32, compression_topk: u16, compression_chunk: u16, quantize_1bit: bool } }
#[repr(C)] #[derive(Clone, Copy)] struct LLM { max_seq_len: u32, cold_start_warmup_steps: u32, architecture: Arch, checkpoint: Checkpoint, data_type: DataType, data_location: DataLoc, lr_schedule: Lr, optimizer: Opt }
#[repr(C)] #[derive(Clone, Copy)] enum Model { LLM(LLM) }
#[repr(C)] #[derive(Clone, Copy)] struct Config { warmup_time: u64, cooldown_time: u64, max_round_train_time: u64, round_witness_time: u64, global_batch_size_warmup_tokens: u64, epoch_time: u64, total_steps: u32, init_min_clients: u16, min_clients: u16, witness_nodes: u16, global_batch_size_start: u16, global_batch_size_end: u16, verification_percent: u8, waiting_for_members_extra_time: u8 }
#[repr(C)] #[derive(Clone, Copy)] struct Progress { epoch: u16, step: u32, epoch_start_data_index: u64 }
#[repr(C)] #[derive(Clone, Copy)] struct Bloom { keys: [u64; 8], bits: [u64; 16] }
#[repr(C)] #[derive(Clone, Copy)] struct Proof { position: u64, index: u64, witness: SmallBoolean }
#[repr(C)] #[derive(Clone, Copy)] struct Witness { proof: Proof, participant_bloom: Bloom, broadcast_bloom: Bloom, broadcast_merkle: [u8; 32] }
#[repr(C)] #[derive(Clone, Copy)] struct Round { witnesses: FixedVec<Witness, 32>, data_index: u64, random_seed: u64, height: u32, clients_len: u16, tie_breaker_tasks: u16 }
#[repr(C)] #[derive(Clone, Copy)] struct NodeId { signer: [u8; 32], p2p: [u8; 32] }
#[repr(C)] #[derive(Clone, Copy)] enum ClientState { Healthy, Dropped, Withdrawn, Ejected }
#[repr(C)] #[derive(Clone, Copy)] struct Client { id: NodeId, state: u8, exited_height: u32 }
#[repr(C)] #[derive(Clone, Copy)] struct Epoch { rounds: [Round; 4], clients: FixedVec<Client, 256>, exited_clients: FixedVec<Client, 256>, rounds_head: u32, start_step: u32, last_step: u32, start_timestamp: u64, first_round: SmallBoolean, cold_start_epoch: SmallBoolean }
#[repr(C)] #[derive(Clone, Copy)] struct Coordinator { run_id: FS<32>, run_state: u8, model: Model, config: Config, progress: Progress, epoch_state: Epoch, run_state_start_unix_timestamp: u64, pending_pause: SmallBoolean }
#[repr(C)] #[derive(Clone, Copy)] struct Rates { earning: u64, slashing: u64 }
#[repr(C)] #[derive(Clone, Copy)] struct SolanaClient { id: NodeId, _unused: [u8; 8], earned: u64, slashed: u64, active: u64 }
#[repr(C)] #[derive(Clone, Copy)] struct ClientsState { clients: FixedVec<SolanaClient, 256>, next_active: u64, current: Rates, future: Rates }
#[repr(C)] #[derive(Clone, Copy)] struct Metadata { name: FS<64>, description: FS<280>, num_parameters: u64, vocab_size: u64 }
#[repr(C)] #[derive(Clone, Copy)] struct InstanceState { metadata: Metadata, coordinator: Coordinator, clients_state: ClientsState, is_warmup_first_tick: SmallBoolean, is_training_first_tick: SmallBoolean, client_version: FS<96> }
#[repr(C)] #[derive(Clone, Copy)] struct Account { version: u64, state: InstanceState, nonce: u64 }

fn a<T, U>(base: &T, field: &U) -> usize { field as *const U as usize - base as *const T as usize }

fn main() {
    let d = 8; // discriminator
    println!("size.account_with_disc {}", d + size_of::<Account>());
    println!("abs.coordinator {}", d + offset_of!(Account, state) + offset_of!(InstanceState, coordinator));
    let c = d + offset_of!(Account, state) + offset_of!(InstanceState, coordinator);
    println!("abs.model {}", c + offset_of!(Coordinator, model));
    println!("abs.config {}", c + offset_of!(Coordinator, config));
    println!("abs.progress {}", c + offset_of!(Coordinator, progress));
    println!("abs.progress.step {}", c + offset_of!(Coordinator, progress) + offset_of!(Progress, step));
    println!("abs.epoch_state {}", c + offset_of!(Coordinator, epoch_state));
    println!("abs.run_state_start {}", c + offset_of!(Coordinator, run_state_start_unix_timestamp));
    println!("abs.pending_pause {}", c + offset_of!(Coordinator, pending_pause));
    let s = d + offset_of!(Account, state);
    println!("abs.clients_state {}", s + offset_of!(InstanceState, clients_state));
    println!("abs.client_version {}", s + offset_of!(InstanceState, client_version));
    println!("abs.nonce {}", d + offset_of!(Account, nonce));
    println!("size.SolanaClient {}", size_of::<SolanaClient>());
    println!("rel.clients_state.next_active {}", offset_of!(ClientsState, next_active));
    println!("size.Round {} size.Witness {} size.Client {}", size_of::<Round>(), size_of::<Witness>(), size_of::<Client>());
    println!("rel.round.data_index {} height {} clients_len {} tie {}", offset_of!(Round, data_index), offset_of!(Round, height), offset_of!(Round, clients_len), offset_of!(Round, tie_breaker_tasks));
    println!("rel.epoch.clients {} exited {} rounds_head {} start_timestamp {} first_round {} cold {}", offset_of!(Epoch, clients), offset_of!(Epoch, exited_clients), offset_of!(Epoch, rounds_head), offset_of!(Epoch, start_timestamp), offset_of!(Epoch, first_round), offset_of!(Epoch, cold_start_epoch));
    println!("rel.client.state {} exited_height {}", offset_of!(Client, state), offset_of!(Client, exited_height));
    println!("rel.witness.participant {} broadcast {} merkle {}", offset_of!(Witness, participant_bloom), offset_of!(Witness, broadcast_bloom), offset_of!(Witness, broadcast_merkle));
    println!("size.Model {} size.LLM {} size.Checkpoint {} size.DataLoc {} size.Lr {} size.Opt {}", size_of::<Model>(), size_of::<LLM>(), size_of::<Checkpoint>(), size_of::<DataLoc>(), size_of::<Lr>(), size_of::<Opt>());
    println!("rel.llm.checkpoint {} data_type {} data_location {} lr {} optimizer {}", offset_of!(LLM, checkpoint), offset_of!(LLM, data_type), offset_of!(LLM, data_location), offset_of!(LLM, lr_schedule), offset_of!(LLM, optimizer));
    unsafe {
        // variant payload offsets, measured on live values
        let m: Model = Model::LLM(zeroed());
        let Model::LLM(ref l) = m; println!("rel.model.llm {}", a(&m, l));
        let cp = Checkpoint::Hub(HubRepo { repo_id: FS([0; 64]), revision: Some(FS([0; 64])) });
        if let Checkpoint::Hub(ref h) = cp {
            println!("rel.checkpoint.payload {} hub.repo_id {} hub.revision {}", a(&cp, h), a(h, &h.repo_id), a(h, &h.revision));
            if let Some(ref r) = h.revision { println!("rel.revision.value {}", a(&h.revision, r)); }
        }
        let g = GcsRepo { bucket: FS([0; 64]), prefix: None };
        println!("rel.gcs.bucket {} gcs.prefix {} size.GcsRepo {} size.HubRepo {}", a(&g, &g.bucket), a(&g, &g.prefix), size_of::<GcsRepo>(), size_of::<HubRepo>());
        let some: Option<FS<64>> = Some(FS([7; 64])); let none: Option<FS<64>> = None;
        let sb: [u8; 65] = std::mem::transmute(some); let nb: [u8; 65] = std::mem::transmute(none);
        println!("option_fs64 some.tag_byte0 {} none.tag_byte0 {}", sb[0], nb[0]);
        let dl = DataLoc::Http(zeroed());
        if let DataLoc::Http(ref h) = dl {
            println!("rel.data_location.payload {} http.token_size {} http.shuffle {} size.Http {}", a(&dl, h), a(h, &h.token_size_in_bytes), a(h, &h.shuffle), size_of::<Http>());
        }
        let nf = HttpLoc::NumberedFiles { url_template: FS([0; 64]), start_index: 0, n_left_pad_zeros: 0, num_files: 0 };
        if let HttpLoc::NumberedFiles { ref url_template, ref start_index, ref n_left_pad_zeros, ref num_files } = nf {
            println!("rel.numbered.template {} start {} pad {} num {}", a(&nf, url_template), a(&nf, start_index), a(&nf, n_left_pad_zeros), a(&nf, num_files));
        }
        let gcp = HttpLoc::Gcp { bucket_name: FS([0; 64]), filter_directory: FS([0; 192]) };
        if let HttpLoc::Gcp { ref bucket_name, ref filter_directory } = gcp { println!("rel.gcp.bucket {} filter {}", a(&gcp, bucket_name), a(&gcp, filter_directory)); }
        let sh = Shuffle::Seeded([0; 32]);
        if let Shuffle::Seeded(ref x) = sh { println!("rel.shuffle.seed {}", a(&sh, x)); }
        let lr = Lr::Wsd(zeroed());
        if let Lr::Wsd(ref w) = lr { println!("rel.lr.payload {} wsd.warmup_steps {} wsd.linear_decay_steps {}", a(&lr, w), a(w, &w.warmup_steps), a(w, &w.linear_decay_steps)); }
        let lc = Lr::Constant(zeroed());
        if let Lr::Constant(ref w) = lc { println!("rel.constant.warmup_steps {}", a(w, &w.warmup_steps)); }
        let o = Opt::Distro { clip_grad_norm: Some(1.0), weight_decay: None, compression_decay: 0.0, compression_topk: 0, compression_chunk: 0, quantize_1bit: false };
        if let Opt::Distro { ref clip_grad_norm, ref weight_decay, ref compression_decay, ref compression_topk, ref compression_chunk, ref quantize_1bit } = o {
            println!("rel.distro.clip {} wd {} decay {} topk {} chunk {} q1 {}", a(&o, clip_grad_norm), a(&o, weight_decay), a(&o, compression_decay), a(&o, compression_topk), a(&o, compression_chunk), a(&o, quantize_1bit));
            if let Some(ref v) = clip_grad_norm { println!("rel.option_f32.value {}", a(clip_grad_norm, v)); }
        }
        let ad = Opt::AdamW { betas: [0.0; 2], weight_decay: 0.0, eps: 0.0, clip_grad_norm: None };
        if let Opt::AdamW { ref betas, ref weight_decay, ref eps, ref clip_grad_norm } = ad { println!("rel.adamw.betas {} wd {} eps {} clip {}", a(&ad, betas), a(&ad, weight_decay), a(&ad, eps), a(&ad, clip_grad_norm)); }
        let of: Option<f32> = Some(2.0); let ob: [u8; 8] = std::mem::transmute(of);
        println!("option_f32 some bytes {:?} size {}", ob, size_of::<Option<f32>>());
    }
}
