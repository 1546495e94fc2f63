// Fused TensorFlow CPU kernels for the native backend (tfjs-node), built by `npm run setup:native`.
//
// The training step is memory-bound where TensorFlow's stock ops make one pass over a large tensor
// per elementwise op: the additive attention ([B, L, A] per decoding step: add, tanh, score, and in
// the backward pass outer product, tanh', sum, score gradient) and Adam (13 passes over every weight).
// Each op here makes one pass. They are registered as ordinary TensorFlow ops through TensorFlow's
// stable C API (tensorflow/c/ops.h, tensorflow/c/kernels.h) when Node loads this addon, and run from
// tfjs-node like any TensorFlow op (src/fast-paths/fused-kernels.ts). Without the addon the same math
// runs as stock ops (src/decoder/attention.ts, tfjs's Adam).
//
//   AttendCaptionAdditiveScores(keys [G,L,A], query [N,A], w [A]) -> scores [N,L], act [N,L,A]
//       act = tanh(keys[g] + query[n]), scores = act · w, for row n of image g = n / (N / G)
//   AttendCaptionAdditiveScoresGrad(act [N,L,A], dscores [N,L], w [A], dkeys_in [N/k,L,A] or [0];
//                                   rows_per_image k)
//       -> dkeys [N/k,L,A] (+ dkeys_in: the sum over decoding steps, made in the same pass), dquery [N,A], dw [A]
//   AttendCaptionContext(alpha [N,L], features [G,L,D]) -> weighted [N,D] = Σ_i alpha_i a_i
//   AttendCaptionContextGrad(dweighted [N,D], features [G,L,D]) -> dalpha [N,L] = dweighted · a_i
//   AttendCaptionLstmCell(pre [B,4H], c_prev [B,H]) -> h [B,H], c [B,H], gates [B,4H]
//       gates (i, f, o, g) = (σ, σ, σ, tanh)(pre); c = f c_prev + i g; h = o tanh(c)
//   AttendCaptionLstmCellGrad(gates, c_prev, c, dh, dc) -> dpre [B,4H], dc_prev [B,H]
//   AttendCaptionAdam(var, grad, m, v [same shape], hyper [6])
//       -> var', m', v'   (tfjs's Adam update; hyper = lr, β1, β2, ε, 1 − β1^t, 1 − β2^t)
//   AttendCaptionTopK(x [N,V], bias [V]; k) -> values [N,k], ids [N,k] int32
//       the k largest x[n] + bias of each row, best first, equal values lower id first (TopKV2's
//       order for inputs without NaN); one pass per row, rows in parallel (TopKV2 runs them on one
//       thread: on beam search's [N, V] log-probs it cost as much as copying them out)
// The context and LSTM ops save TensorFlow's per-op overhead as much as memory passes: the step
// loop runs them 2 × 16 times per training step on small tensors.
#include <node_api.h>

#include <sched.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <exception>
#include <fstream>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

// ---------------------------------------------------------------------------------------------
// The TensorFlow C API functions used (declared here rather than including kernels.h, whose
// includes reach into TensorFlow's internal headers; all are exported by libtensorflow_framework).
extern "C" {
struct TF_Status;
struct TF_Tensor;
struct TF_OpDefinitionBuilder;
struct TF_KernelBuilder;
struct TF_OpKernelConstruction;
struct TF_OpKernelContext;

TF_Status* TF_NewStatus(void);
void TF_DeleteStatus(TF_Status*);
int TF_GetCode(const TF_Status*);
const char* TF_Message(const TF_Status*);
void TF_SetStatus(TF_Status*, int code, const char* msg);

void* TF_TensorData(const TF_Tensor*);
int TF_NumDims(const TF_Tensor*);
int64_t TF_Dim(const TF_Tensor*, int dim_index);
int TF_TensorType(const TF_Tensor*);
void TF_DeleteTensor(TF_Tensor*);

TF_OpDefinitionBuilder* TF_NewOpDefinitionBuilder(const char* op_name);
void TF_OpDefinitionBuilderAddInput(TF_OpDefinitionBuilder*, const char* spec);
void TF_OpDefinitionBuilderAddOutput(TF_OpDefinitionBuilder*, const char* spec);
void TF_OpDefinitionBuilderAddAttr(TF_OpDefinitionBuilder*, const char* spec);
void TF_RegisterOpDefinition(TF_OpDefinitionBuilder*, TF_Status*);

TF_KernelBuilder* TF_NewKernelBuilder(const char* op_name, const char* device_name,
                                      void* (*create_func)(TF_OpKernelConstruction*),
                                      void (*compute_func)(void*, TF_OpKernelContext*),
                                      void (*delete_func)(void*));
void TF_RegisterKernelBuilder(const char* kernel_name, TF_KernelBuilder*, TF_Status*);
void TF_GetInput(TF_OpKernelContext*, int i, TF_Tensor** tensor, TF_Status*);
TF_Tensor* TF_AllocateOutput(TF_OpKernelContext*, int index, int dtype, const int64_t* dims,
                             int num_dims, size_t len, TF_Status*);
void TF_OpKernelContext_Failure(TF_OpKernelContext*, TF_Status*);
void TF_OpKernelConstruction_GetAttrInt32(TF_OpKernelConstruction*, const char* name, int32_t* val,
                                          TF_Status*);
}

namespace {

// Bumped whenever an op changes: src/fast-paths/fused-kernels.ts refuses an addon of another version.
constexpr uint32_t kVersion = 4;

constexpr int kFloat = 1;            // TF_FLOAT
constexpr int kInt32 = 3;            // TF_INT32
constexpr int kOk = 0;               // TF_OK
constexpr int kInvalidArgument = 3;  // TF_INVALID_ARGUMENT
constexpr int kInternal = 13;        // TF_INTERNAL

// ---------------------------------------------------------------------------------------------
// Kernel plumbing: inputs and outputs owned for the duration of one Compute call.

class Kernel {
 public:
  explicit Kernel(TF_OpKernelContext* ctx) : ctx_(ctx), status_(TF_NewStatus()) {}
  ~Kernel() {
    for (TF_Tensor* t : owned_) TF_DeleteTensor(t);
    TF_DeleteStatus(status_);
  }
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  bool ok() const { return !failed_; }

  // Input i, a float32 tensor of `rank` dimensions (any rank if rank < 0); nullptr (and the op
  // fails) otherwise.
  TF_Tensor* input(int i, int rank, const char* what) {
    if (failed_) return nullptr;
    TF_Tensor* t = nullptr;
    TF_GetInput(ctx_, i, &t, status_);
    if (TF_GetCode(status_) != kOk) return fail_with_status();
    owned_.push_back(t);
    if (TF_TensorType(t) != kFloat) return fail(std::string(what) + " must be float32");
    if (rank >= 0 && TF_NumDims(t) != rank) return fail(std::string(what) + " must have rank " + std::to_string(rank));
    return t;
  }

  float* output(int i, std::vector<int64_t> dims) { return static_cast<float*>(allocate(i, kFloat, sizeof(float), dims)); }
  int32_t* output_int32(int i, std::vector<int64_t> dims) {
    return static_cast<int32_t*>(allocate(i, kInt32, sizeof(int32_t), dims));
  }

  // Fails the op with an InvalidArgument error; returns nullptr for convenience.
  std::nullptr_t fail(const std::string& message) {
    if (!failed_) {
      failed_ = true;
      TF_SetStatus(status_, kInvalidArgument, message.c_str());
      TF_OpKernelContext_Failure(ctx_, status_);
    }
    return nullptr;
  }

 private:
  void* allocate(int i, int dtype, size_t element_size, const std::vector<int64_t>& dims) {
    if (failed_) return nullptr;
    int64_t n = 1;
    for (int64_t d : dims) n *= d;
    TF_Tensor* t = TF_AllocateOutput(ctx_, i, dtype, dims.data(), static_cast<int>(dims.size()),
                                     static_cast<size_t>(n) * element_size, status_);
    if (TF_GetCode(status_) != kOk) return fail_with_status();
    owned_.push_back(t);
    return TF_TensorData(t);
  }

  std::nullptr_t fail_with_status() {
    failed_ = true;
    TF_OpKernelContext_Failure(ctx_, status_);
    return nullptr;
  }

  TF_OpKernelContext* ctx_;
  TF_Status* status_;
  std::vector<TF_Tensor*> owned_;
  bool failed_ = false;
};

const float* data(const TF_Tensor* t) { return static_cast<const float*>(TF_TensorData(t)); }

// ---------------------------------------------------------------------------------------------
// Work split over the CPUs this process may use: f(chunk, begin, end) for `chunks` contiguous ranges
// of [0, n), on one pool of threads started once (not threads per call).

// CPUs this process may run on: its affinity mask, bounded by a cgroup v2 CPU quota (cpu.max), or
// CAPTION_NATIVE_THREADS when set; at most 8 (these kernels are memory-bound beyond that).
int allowed_cpus() {
  if (const char* env = std::getenv("CAPTION_NATIVE_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return std::min(n, 64);
  }
  int cpus = static_cast<int>(std::thread::hardware_concurrency());
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) cpus = CPU_COUNT(&set);
  std::ifstream max("/sys/fs/cgroup/cpu.max");
  std::string quota;
  long long period = 0;
  if (max >> quota >> period && quota != "max" && period > 0) {
    const long long q = std::atoll(quota.c_str());
    if (q > 0) cpus = std::min<int>(cpus, static_cast<int>(std::max<long long>(1, (q + period - 1) / period)));
  }
  return std::max(1, std::min(8, cpus));
}

class ThreadPool {
 public:
  explicit ThreadPool(int threads) {
    for (int i = 0; i < threads; i++) workers_.emplace_back([this] { work(); });
  }
  // Lives as long as the process: TensorFlow may run a kernel during exit, so it is never joined.
  ~ThreadPool() = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }  // the calling thread works too

  void submit(std::function<void()> task) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      tasks_.push_back(std::move(task));
    }
    ready_.notify_one();
  }

  // Runs one queued task on the calling thread, if any (a waiting caller helps instead of idling,
  // so nested or concurrent calls from TensorFlow's own threads cannot deadlock the pool).
  bool run_one() {
    std::function<void()> task;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (tasks_.empty()) return false;
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
    return true;
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        ready_.wait(lock, [this] { return !tasks_.empty(); });
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }

  std::vector<std::thread> workers_;
  std::deque<std::function<void()>> tasks_;
  std::mutex mutex_;
  std::condition_variable ready_;
};

ThreadPool& pool() {
  static ThreadPool* p = new ThreadPool(allowed_cpus() - 1);
  return *p;
}

int worker_count(int64_t n, int64_t min_per_chunk) {
  const int64_t by_size = std::max<int64_t>(1, n / std::max<int64_t>(1, min_per_chunk));
  return static_cast<int>(std::min<int64_t>(pool().size(), by_size));
}

// Chunks 1.. go to the pool, chunk 0 runs here; an exception in any chunk is rethrown here after all
// chunks are done (the op's guard turns it into the kernel's error status).
template <class F>
void parallel_for(int64_t n, int chunks, F f) {
  if (chunks <= 1) {
    f(0, int64_t{0}, n);
    return;
  }
  const int64_t per = (n + chunks - 1) / chunks;
  std::atomic<int> pending{chunks - 1};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto guarded = [&](int c, int64_t b, int64_t e) {
    try {
      f(c, b, e);
    } catch (...) {
      std::lock_guard<std::mutex> lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  };
  for (int c = 1; c < chunks; c++) {
    const int64_t b = std::min(n, c * per), e = std::min(n, (c + 1) * per);
    pool().submit([&, c, b, e] {
      guarded(c, b, e);
      pending.fetch_sub(1, std::memory_order_acq_rel);
    });
  }
  guarded(0, int64_t{0}, std::min(n, per));
  while (pending.load(std::memory_order_acquire) > 0) {
    if (!pool().run_one()) std::this_thread::yield();
  }
  if (error) std::rethrow_exception(error);
}

// ---------------------------------------------------------------------------------------------
// tanh as Eigen computes it for float (a [13/6] rational approximation; |error| < 1e-6), written
// so the compiler vectorizes it.

inline float fast_tanh(float x) {
  const float clamp = 7.90531110763549805f;
  const float c = x > clamp ? clamp : x < -clamp ? -clamp : x;  // NaN stays NaN (and so the result)
  const float x2 = c * c;
  float p = x2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
  p = p * x2 + -8.60467152213735e-11f;
  p = p * x2 + 5.12229709037114e-08f;
  p = p * x2 + 1.48572235717979e-05f;
  p = p * x2 + 6.37261928875436e-04f;
  p = p * x2 + 4.89352455891786e-03f;
  p = p * c;
  float q = x2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
  q = q * x2 + 2.26843463243900e-03f;
  q = q * x2 + 4.89352518554385e-03f;
  return std::fabs(x) < 0.0004f ? x : p / q;
}

inline float fast_sigmoid(float x) { return 0.5f * fast_tanh(0.5f * x) + 0.5f; }

// One row of keys k [A] and query q [A]: act = tanh(k + q), returns act · w.
__attribute__((target_clones("avx512f", "avx2", "default")))
float score_row(const float* k, const float* q, const float* w, float* act, int64_t A) {
  float s = 0.f;
#pragma omp simd reduction(+ : s)
  for (int64_t a = 0; a < A; a++) {
    const float y = fast_tanh(k[a] + q[a]);
    act[a] = y;
    s += y * w[a];
  }
  return s;
}

// The gradient through one row: d = ds · w ⊙ (1 − act²); dkeys = base + d (base: dkeys_in, or
// dkeys itself for a further row of the same image, or nullptr for zero); dq += d; dw += ds · act.
__attribute__((target_clones("avx512f", "avx2", "default")))
void score_row_grad(const float* act, float ds, const float* w, const float* base, float* dkeys, float* dq,
                    float* dw, int64_t A) {
#pragma omp simd
  for (int64_t a = 0; a < A; a++) {
    const float y = act[a];
    const float d = ds * w[a] * (1.f - y * y);
    dkeys[a] = base ? base[a] + d : d;
    dq[a] += d;
    dw[a] += ds * y;
  }
}

// out [D] = Σ_l alpha[l] · a[l, :] over L rows of a.
__attribute__((target_clones("avx512f", "avx2", "default")))
void weighted_sum(const float* alpha, const float* a, float* out, int64_t L, int64_t D) {
  for (int64_t d = 0; d < D; d++) out[d] = 0.f;
  for (int64_t l = 0; l < L; l++) {
    const float w = alpha[l];
    const float* row = a + l * D;
#pragma omp simd
    for (int64_t d = 0; d < D; d++) out[d] += w * row[d];
  }
}

__attribute__((target_clones("avx512f", "avx2", "default")))
float dot(const float* x, const float* y, int64_t n) {
  float s = 0.f;
#pragma omp simd reduction(+ : s)
  for (int64_t i = 0; i < n; i++) s += x[i] * y[i];
  return s;
}

__attribute__((target_clones("avx512f", "avx2", "default")))
void adam_range(const float* var, const float* grad, const float* m, const float* v, float* var_out,
                float* m_out, float* v_out, int64_t begin, int64_t end, float lr, float beta1,
                float beta2, float eps, float correction1, float correction2) {
  const float one_minus_beta1 = 1.f - beta1, one_minus_beta2 = 1.f - beta2;
#pragma omp simd
  for (int64_t i = begin; i < end; i++) {
    const float g = grad[i];
    const float m1 = m[i] * beta1 + g * one_minus_beta1;
    const float v1 = v[i] * beta2 + (g * g) * one_minus_beta2;
    m_out[i] = m1;
    v_out[i] = v1;
    var_out[i] = (m1 / correction1) / (std::sqrt(v1 / correction2) + eps) * -lr + var[i];
  }
}

// ---------------------------------------------------------------------------------------------
// Compute functions.

void additive_scores(void*, TF_OpKernelContext* ctx) {
  Kernel k(ctx);
  TF_Tensor* keys = k.input(0, 3, "keys");
  TF_Tensor* query = k.input(1, 2, "query");
  TF_Tensor* w = k.input(2, 1, "w");
  if (!k.ok()) return;
  const int64_t G = TF_Dim(keys, 0), L = TF_Dim(keys, 1), A = TF_Dim(keys, 2), N = TF_Dim(query, 0);
  if (TF_Dim(query, 1) != A || TF_Dim(w, 0) != A) return (void)k.fail("keys, query and w disagree on A");
  if (G == 0 || N % G != 0) return (void)k.fail("query rows must be a multiple of the key images");
  const int64_t rows_per_image = N / G;
  float* scores = k.output(0, {N, L});
  float* act = k.output(1, {N, L, A});
  if (!k.ok()) return;
  const float *kd = data(keys), *qd = data(query), *wd = data(w);
  parallel_for(N, worker_count(N * L * A, 1 << 16), [&](int, int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; n++) {
      const float* kg = kd + (n / rows_per_image) * L * A;
      for (int64_t l = 0; l < L; l++) {
        scores[n * L + l] = score_row(kg + l * A, qd + n * A, wd, act + (n * L + l) * A, A);
      }
    }
  });
}

// A kernel's one int attribute, read when TensorFlow builds the kernel (its state).
struct IntAttr {
  int32_t value;
};

template <const char* Name>
void* create_int_attr(TF_OpKernelConstruction* ctx) {
  auto* state = new IntAttr{1};
  TF_Status* status = TF_NewStatus();
  TF_OpKernelConstruction_GetAttrInt32(ctx, Name, &state->value, status);
  TF_DeleteStatus(status);
  return state;
}

void delete_int_attr(void* state) { delete static_cast<IntAttr*>(state); }

int32_t int_attr(void* state) { return static_cast<IntAttr*>(state)->value; }

constexpr char kRowsPerImage[] = "rows_per_image";
constexpr char kTopK[] = "k";

void additive_scores_grad(void* state, TF_OpKernelContext* ctx) {
  Kernel k(ctx);
  TF_Tensor* act = k.input(0, 3, "act");
  TF_Tensor* dscores = k.input(1, 2, "dscores");
  TF_Tensor* w = k.input(2, 1, "w");
  TF_Tensor* dkeys_in = k.input(3, -1, "dkeys_in");
  if (!k.ok()) return;
  const int64_t N = TF_Dim(act, 0), L = TF_Dim(act, 1), A = TF_Dim(act, 2);
  const int64_t rows_per_image = int_attr(state);
  if (TF_Dim(dscores, 0) != N || TF_Dim(dscores, 1) != L) return (void)k.fail("dscores must be [N, L] like act");
  if (TF_Dim(w, 0) != A) return (void)k.fail("w must be [A] like act");
  if (rows_per_image < 1 || N % rows_per_image != 0) return (void)k.fail("rows_per_image must divide N");
  const int64_t G = N / rows_per_image;
  const bool accumulate = TF_NumDims(dkeys_in) == 3;
  if (accumulate && (TF_Dim(dkeys_in, 0) != G || TF_Dim(dkeys_in, 1) != L || TF_Dim(dkeys_in, 2) != A)) {
    return (void)k.fail("dkeys_in must be [N / rows_per_image, L, A], or empty");
  }
  if (!accumulate && !(TF_NumDims(dkeys_in) == 1 && TF_Dim(dkeys_in, 0) == 0)) return (void)k.fail("dkeys_in must be [N / rows_per_image, L, A], or empty");
  const float* in = accumulate ? data(dkeys_in) : nullptr;
  float* dkeys = k.output(0, {G, L, A});
  float* dquery = k.output(1, {N, A});
  float* dw = k.output(2, {A});
  if (!k.ok()) return;
  const float *ad = data(act), *dsd = data(dscores), *wd = data(w);
  const int chunks = worker_count(N * L * A, 1 << 16);
  std::vector<std::vector<float>> dw_parts(chunks, std::vector<float>(A, 0.f));
  std::memset(dquery, 0, sizeof(float) * N * A);
  parallel_for(G, chunks, [&](int chunk, int64_t begin, int64_t end) {
    float* dw_part = dw_parts[chunk].data();
    for (int64_t g = begin; g < end; g++) {
      for (int64_t j = 0; j < rows_per_image; j++) {
        const int64_t n = g * rows_per_image + j;
        for (int64_t l = 0; l < L; l++) {
          const int64_t row = (g * L + l) * A;
          const float* base = j > 0 ? dkeys + row : in ? in + row : nullptr;
          score_row_grad(ad + (n * L + l) * A, dsd[n * L + l], wd, base, dkeys + row, dquery + n * A, dw_part, A);
        }
      }
    }
  });
  for (int64_t a = 0; a < A; a++) {
    float s = 0.f;
    for (int c = 0; c < chunks; c++) s += dw_parts[c][a];
    dw[a] = s;
  }
}

void adam(void*, TF_OpKernelContext* ctx) {
  Kernel k(ctx);
  const char* names[4] = {"var", "grad", "m", "v"};
  TF_Tensor* tensors[4] = {k.input(0, -1, names[0]), nullptr, nullptr, nullptr};
  if (!k.ok()) return;
  const int rank = TF_NumDims(tensors[0]);
  for (int i = 1; i < 4; i++) tensors[i] = k.input(i, rank, names[i]);
  TF_Tensor* hyper = k.input(4, 1, "hyper");
  if (!k.ok()) return;
  std::vector<int64_t> dims(rank);
  int64_t n = 1;
  for (int d = 0; d < rank; d++) {
    dims[d] = TF_Dim(tensors[0], d);
    n *= dims[d];
    for (int i = 1; i < 4; i++) {
      if (TF_Dim(tensors[i], d) != dims[d]) return (void)k.fail(std::string(names[i]) + " must have var's shape");
    }
  }
  if (TF_Dim(hyper, 0) != 6) return (void)k.fail("hyper must be [lr, beta1, beta2, epsilon, 1 - beta1^t, 1 - beta2^t]");
  float* var_out = k.output(0, dims);
  float* m_out = k.output(1, dims);
  float* v_out = k.output(2, dims);
  if (!k.ok()) return;
  const float* h = data(hyper);
  const float *var = data(tensors[0]), *grad = data(tensors[1]), *m = data(tensors[2]), *v = data(tensors[3]);
  parallel_for(n, worker_count(n, 1 << 18), [&](int, int64_t begin, int64_t end) {
    adam_range(var, grad, m, v, var_out, m_out, v_out, begin, end, h[0], h[1], h[2], h[3], h[4], h[5]);
  });
}

void context(void*, TF_OpKernelContext* ctx) {
  Kernel k(ctx);
  TF_Tensor* alpha = k.input(0, 2, "alpha");
  TF_Tensor* features = k.input(1, 3, "features");
  if (!k.ok()) return;
  const int64_t N = TF_Dim(alpha, 0), L = TF_Dim(alpha, 1), G = TF_Dim(features, 0), D = TF_Dim(features, 2);
  if (TF_Dim(features, 1) != L) return (void)k.fail("alpha and features disagree on L");
  if (G == 0 || N % G != 0) return (void)k.fail("alpha rows must be a multiple of the feature images");
  const int64_t rows_per_image = N / G;
  float* out = k.output(0, {N, D});
  if (!k.ok()) return;
  const float *ad = data(alpha), *fd = data(features);
  parallel_for(N, worker_count(N * L * D, 1 << 16), [&](int, int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; n++) weighted_sum(ad + n * L, fd + (n / rows_per_image) * L * D, out + n * D, L, D);
  });
}

void context_grad(void*, TF_OpKernelContext* ctx) {
  Kernel k(ctx);
  TF_Tensor* dweighted = k.input(0, 2, "dweighted");
  TF_Tensor* features = k.input(1, 3, "features");
  if (!k.ok()) return;
  const int64_t N = TF_Dim(dweighted, 0), D = TF_Dim(dweighted, 1), G = TF_Dim(features, 0), L = TF_Dim(features, 1);
  if (TF_Dim(features, 2) != D) return (void)k.fail("dweighted and features disagree on D");
  if (G == 0 || N % G != 0) return (void)k.fail("dweighted rows must be a multiple of the feature images");
  const int64_t rows_per_image = N / G;
  float* dalpha = k.output(0, {N, L});
  if (!k.ok()) return;
  const float *dd = data(dweighted), *fd = data(features);
  parallel_for(N, worker_count(N * L * D, 1 << 16), [&](int, int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; n++) {
      const float* a = fd + (n / rows_per_image) * L * D;
      for (int64_t l = 0; l < L; l++) dalpha[n * L + l] = dot(dd + n * D, a + l * D, D);
    }
  });
}

void lstm_cell(void*, TF_OpKernelContext* ctx) {
  Kernel k(ctx);
  TF_Tensor* pre = k.input(0, 2, "pre");
  TF_Tensor* c_prev = k.input(1, 2, "c_prev");
  if (!k.ok()) return;
  const int64_t B = TF_Dim(c_prev, 0), H = TF_Dim(c_prev, 1);
  if (TF_Dim(pre, 0) != B || TF_Dim(pre, 1) != 4 * H) return (void)k.fail("pre must be [B, 4H] for c_prev [B, H]");
  float* h = k.output(0, {B, H});
  float* c = k.output(1, {B, H});
  float* gates = k.output(2, {B, 4 * H});
  if (!k.ok()) return;
  const float *p = data(pre), *cp = data(c_prev);
  parallel_for(B, worker_count(B * H, 1 << 14), [&](int, int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b++) {
      const float* pb = p + b * 4 * H;
      float* gb = gates + b * 4 * H;
      for (int64_t j = 0; j < H; j++) {
        const float i = fast_sigmoid(pb[j]), f = fast_sigmoid(pb[H + j]), o = fast_sigmoid(pb[2 * H + j]);
        const float g = fast_tanh(pb[3 * H + j]);
        const float cn = f * cp[b * H + j] + i * g;
        gb[j] = i, gb[H + j] = f, gb[2 * H + j] = o, gb[3 * H + j] = g;
        c[b * H + j] = cn;
        h[b * H + j] = o * fast_tanh(cn);
      }
    }
  });
}

void lstm_cell_grad(void*, TF_OpKernelContext* ctx) {
  Kernel k(ctx);
  TF_Tensor* gates = k.input(0, 2, "gates");
  TF_Tensor* c_prev = k.input(1, 2, "c_prev");
  TF_Tensor* c = k.input(2, 2, "c");
  TF_Tensor* dh = k.input(3, 2, "dh");
  TF_Tensor* dc = k.input(4, 2, "dc");
  if (!k.ok()) return;
  const int64_t B = TF_Dim(c_prev, 0), H = TF_Dim(c_prev, 1);
  if (TF_Dim(gates, 0) != B || TF_Dim(gates, 1) != 4 * H) return (void)k.fail("gates must be [B, 4H] for c_prev [B, H]");
  for (TF_Tensor* t : {c, dh, dc}) {
    if (TF_Dim(t, 0) != B || TF_Dim(t, 1) != H) return (void)k.fail("c, dh and dc must be [B, H] like c_prev");
  }
  float* dpre = k.output(0, {B, 4 * H});
  float* dc_prev = k.output(1, {B, H});
  if (!k.ok()) return;
  const float *gd = data(gates), *cpd = data(c_prev), *cd = data(c), *dhd = data(dh), *dcd = data(dc);
  parallel_for(B, worker_count(B * H, 1 << 14), [&](int, int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; b++) {
      const float* gb = gd + b * 4 * H;
      float* db = dpre + b * 4 * H;
      for (int64_t j = 0; j < H; j++) {
        const int64_t x = b * H + j;
        const float i = gb[j], f = gb[H + j], o = gb[2 * H + j], g = gb[3 * H + j];
        const float tc = fast_tanh(cd[x]);
        const float dcn = dcd[x] + dhd[x] * o * (1.f - tc * tc);  // total gradient reaching c
        db[j] = dcn * g * i * (1.f - i);
        db[H + j] = dcn * cpd[x] * f * (1.f - f);
        db[2 * H + j] = dhd[x] * tc * o * (1.f - o);
        db[3 * H + j] = dcn * i * (1.f - g * g);
        dc_prev[x] = dcn * f;
      }
    }
  });
}

void top_k(void* state, TF_OpKernelContext* ctx) {
  const int64_t K = int_attr(state);
  Kernel k(ctx);
  TF_Tensor* x = k.input(0, 2, "x");
  TF_Tensor* bias = k.input(1, 1, "bias");
  if (!k.ok()) return;
  const int64_t N = TF_Dim(x, 0), V = TF_Dim(x, 1);
  if (TF_Dim(bias, 0) != V) return (void)k.fail("bias must be [V] for x [N, V]");
  if (K < 1 || K > V) return (void)k.fail("k must be in [1, V]");
  float* values = k.output(0, {N, K});
  int32_t* ids = k.output_int32(1, {N, K});
  if (!k.ok()) return;
  const float *xd = data(x), *bd = data(bias);
  parallel_for(N, worker_count(N * V, 1 << 15), [&](int, int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; n++) {
      const float* row = xd + n * V;
      float* val = values + n * K;
      int32_t* id = ids + n * K;
      int64_t filled = 0;
      for (int64_t v = 0; v < V; v++) {
        const float s = row[v] + bd[v];
        if (filled == K && !(s > val[K - 1])) continue;  // most values: one comparison
        int64_t i = filled < K ? filled++ : K - 1;
        while (i > 0 && val[i - 1] < s) {  // after the equal ones: lower id first
          val[i] = val[i - 1], id[i] = id[i - 1];
          i--;
        }
        val[i] = s, id[i] = static_cast<int32_t>(v);
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Registration (once per process, however many times Node loads the addon).

struct OpSpec {
  const char* name;
  std::vector<const char*> inputs, outputs, attrs;
  void* (*create)(TF_OpKernelConstruction*);
  void (*compute)(void*, TF_OpKernelContext*);
  void (*destroy)(void*);
};

void* create_stateless(TF_OpKernelConstruction*) { return nullptr; }

// No C++ exception may unwind into TensorFlow's C callbacks: a kernel that throws (bad_alloc, a
// failure in a pool thread) fails its op with an Internal error instead.
// Fault injection for the test of this guard: CAPTION_TEST_KERNEL_THROW=1 makes every kernel throw.
const bool kInjectThrow = std::getenv("CAPTION_TEST_KERNEL_THROW") != nullptr;

template <void (*Compute)(void*, TF_OpKernelContext*)>
void guarded(void* state, TF_OpKernelContext* ctx) {
  std::string message;
  try {
    if (kInjectThrow) throw std::runtime_error("injected by CAPTION_TEST_KERNEL_THROW");
    Compute(state, ctx);
    return;
  } catch (const std::exception& e) {
    message = std::string("attend-caption kernel failed: ") + e.what();
  } catch (...) {
    message = "attend-caption kernel failed with an unknown exception";
  }
  TF_Status* status = TF_NewStatus();
  TF_SetStatus(status, kInternal, message.c_str());
  TF_OpKernelContext_Failure(ctx, status);
  TF_DeleteStatus(status);
}
void delete_stateless(void*) {}

std::string register_all() {
  const OpSpec specs[] = {
      {"AttendCaptionAdditiveScores", {"keys: float", "query: float", "w: float"}, {"scores: float", "act: float"}, {},
       create_stateless, guarded<additive_scores>, delete_stateless},
      {"AttendCaptionAdditiveScoresGrad", {"act: float", "dscores: float", "w: float", "dkeys_in: float"},
       {"dkeys: float", "dquery: float", "dw: float"}, {"rows_per_image: int = 1"}, create_int_attr<kRowsPerImage>, guarded<additive_scores_grad>, delete_int_attr},
      {"AttendCaptionContext", {"alpha: float", "features: float"}, {"weighted: float"}, {}, create_stateless, guarded<context>, delete_stateless},
      {"AttendCaptionContextGrad", {"dweighted: float", "features: float"}, {"dalpha: float"}, {},
       create_stateless, guarded<context_grad>, delete_stateless},
      {"AttendCaptionLstmCell", {"pre: float", "c_prev: float"}, {"h: float", "c: float", "gates: float"}, {},
       create_stateless, guarded<lstm_cell>, delete_stateless},
      {"AttendCaptionLstmCellGrad", {"gates: float", "c_prev: float", "c: float", "dh: float", "dc: float"},
       {"dpre: float", "dc_prev: float"}, {}, create_stateless, guarded<lstm_cell_grad>, delete_stateless},
      {"AttendCaptionAdam", {"var: float", "grad: float", "m: float", "v: float", "hyper: float"},
       {"var_out: float", "m_out: float", "v_out: float"}, {}, create_stateless, guarded<adam>, delete_stateless},
      {"AttendCaptionTopK", {"x: float", "bias: float"}, {"values: float", "ids: int32"}, {"k: int = 1"}, create_int_attr<kTopK>,
       guarded<top_k>, delete_int_attr},
  };
  TF_Status* status = TF_NewStatus();
  std::string error;
  for (const OpSpec& spec : specs) {
    TF_OpDefinitionBuilder* op = TF_NewOpDefinitionBuilder(spec.name);
    for (const char* s : spec.inputs) TF_OpDefinitionBuilderAddInput(op, s);
    for (const char* s : spec.outputs) TF_OpDefinitionBuilderAddOutput(op, s);
    for (const char* s : spec.attrs) TF_OpDefinitionBuilderAddAttr(op, s);
    TF_RegisterOpDefinition(op, status);
    if (TF_GetCode(status) != kOk) {
      error = std::string("registering op ") + spec.name + ": " + TF_Message(status);
      break;
    }
    TF_KernelBuilder* kernel = TF_NewKernelBuilder(spec.name, "CPU", spec.create, spec.compute, spec.destroy);
    TF_RegisterKernelBuilder(spec.name, kernel, status);
    if (TF_GetCode(status) != kOk) {
      error = std::string("registering kernel ") + spec.name + ": " + TF_Message(status);
      break;
    }
  }
  TF_DeleteStatus(status);
  return error;
}

}  // namespace

NAPI_MODULE_INIT() {
  static const std::string error = register_all();
  if (!error.empty()) {
    napi_throw_error(env, nullptr, error.c_str());
    return nullptr;
  }
  napi_value result, version;
  napi_create_object(env, &result);
  napi_create_uint32(env, kVersion, &version);
  napi_set_named_property(env, result, "version", version);
  napi_value threads;
  napi_create_uint32(env, static_cast<uint32_t>(pool().size()), &threads);
  napi_set_named_property(env, result, "threads", threads);
  return result;
}
