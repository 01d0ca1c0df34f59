// CpuExecutor: planning (buffers, layouts, reorders), the arena, and run(). The per-op builders
// are in cpu_executor_ops.cpp.
#include "nn/cpu_executor.h"

#include <omp.h>

#include <algorithm>
#include <cstring>

#include "nn/arena_plan.h"
#include "nn/cpu_executor_impl.h"
#include "nn/passes.h"

namespace meshrt::nn {

dnnl::memory::dims toDims(const Shape& shape) {
  if (shape.empty()) return {1};
  return dnnl::memory::dims(shape.begin(), shape.end());
}

dnnl::memory::desc plainDesc(const Shape& shape) {
  const dnnl::memory::dims dims = toDims(shape);
  dnnl::memory::dims strides(dims.size(), 1);
  for (size_t i = dims.size(); i-- > 1;) strides[i - 1] = strides[i] * dims[i];
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, strides);
}

dnnl::memory::desc anyDesc(const Shape& shape) {
  return dnnl::memory::desc(toDims(shape), dnnl::memory::data_type::f32, dnnl::memory::format_tag::any);
}

EltwiseParams eltwiseParams(const Activation& activation) {
  using dnnl::algorithm;
  switch (activation.type) {
    case ActivationType::None: break;
    case ActivationType::Relu: return {algorithm::eltwise_relu, 0.0f, 0.0f};
    case ActivationType::LeakyRelu: return {algorithm::eltwise_relu, activation.alpha, 0.0f};
    case ActivationType::Relu6: return {algorithm::eltwise_clip, 0.0f, 6.0f};
    case ActivationType::Clip: return {algorithm::eltwise_clip, activation.minimum, activation.maximum};
    case ActivationType::Sigmoid: return {algorithm::eltwise_logistic, 0.0f, 0.0f};
    case ActivationType::HardSwish: return {algorithm::eltwise_hardswish, 0.0f, 0.0f};  // x * relu6(x + 3) / 6
  }
  return {algorithm::eltwise_linear, 1.0f, 0.0f};  // identity
}

int32_t CpuExecutor::Impl::addBuffer(const dnnl::memory::desc& desc) {
  CpuBuffer buffer;
  buffer.desc = desc;
  buffer.firstStep = buffer.lastStep = stepIndex();
  buffers.push_back(std::move(buffer));
  return static_cast<int32_t>(buffers.size() - 1);
}

int32_t CpuExecutor::Impl::addAlias(int32_t base, const dnnl::memory::desc& desc) {
  const int32_t root = buffers[static_cast<size_t>(base)].aliasOf >= 0 ? buffers[static_cast<size_t>(base)].aliasOf : base;
  const int32_t id = addBuffer(desc);
  buffers[static_cast<size_t>(id)].aliasOf = root;
  buffers[static_cast<size_t>(id)].constant = buffers[static_cast<size_t>(root)].constant;
  return id;
}

int32_t CpuExecutor::Impl::addConstantBuffer(const dnnl::memory::desc& desc, const std::vector<float>& values) {
  const int32_t id = addBuffer(desc);
  CpuBuffer& buffer = buffers[static_cast<size_t>(id)];
  buffer.constant = true;
  buffer.memory = dnnl::memory(desc, engine);
  std::memcpy(buffer.memory.get_data_handle(), values.data(), values.size() * sizeof(float));
  return id;
}

void CpuExecutor::Impl::markRead(int32_t buffer, int32_t step) {
  CpuBuffer& entry = buffers[static_cast<size_t>(buffer)];
  entry.lastStep = std::max(entry.lastStep, step);
  if (entry.aliasOf >= 0) markRead(entry.aliasOf, step);
}

std::vector<int32_t>& CpuExecutor::Impl::heldBuffers(TensorId tensor) {
  std::vector<int32_t>& held = tensorBuffers[tensor];
  if (held.empty()) {  // a constant used as an activation input: plain, owned
    const Tensor& source = graph.tensors[tensor];
    held.push_back(addConstantBuffer(plainDesc(source.shape), constantAsFloats(source)));
  }
  return held;
}

const dnnl::memory::desc& CpuExecutor::Impl::currentDesc(TensorId tensor) {
  return buffers[static_cast<size_t>(heldBuffers(tensor).front())].desc;
}

int32_t CpuExecutor::Impl::bufferIn(TensorId tensor, const dnnl::memory::desc& desc) {
  std::vector<int32_t>& held = heldBuffers(tensor);
  for (int32_t buffer : held)
    if (buffers[static_cast<size_t>(buffer)].desc == desc) return buffer;
  const int32_t converted = addBuffer(desc);
  addReorderStep(graph.tensors[tensor].name, held.front(), converted);
  held.push_back(converted);
  return converted;
}

int32_t CpuExecutor::Impl::plainBuffer(TensorId tensor) {
  return bufferIn(tensor, plainDesc(graph.tensors[tensor].shape));
}

bool CpuExecutor::Impl::canOverwrite(TensorId tensor, int32_t buffer) const {
  if (lastReader[tensor] != static_cast<int32_t>(currentNode)) return false;
  const CpuBuffer& entry = buffers[static_cast<size_t>(buffer)];
  if (entry.constant || entry.aliasOf >= 0) return false;
  for (int32_t input : inputBuffers)
    if (input == buffer) return false;
  for (const CpuBuffer& other : buffers)
    if (other.aliasOf == buffer) return false;
  return true;
}

dnnl::primitive_attr CpuExecutor::Impl::makeAttr(const Activation& activation, bool residualSum) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  dnnl::post_ops ops;
  if (residualSum) ops.append_sum(1.0f);
  if (activation.type != ActivationType::None) {
    const EltwiseParams e = eltwiseParams(activation);
    ops.append_eltwise(1.0f, e.kind, e.alpha, e.beta);
  }
  attr.set_post_ops(ops);
  return attr;
}

void CpuExecutor::Impl::trackScratchpad(const dnnl::primitive_desc_base& pd) {
  scratchpadBytes = std::max(scratchpadBytes, pd.scratchpad_desc().get_size());
}

void CpuExecutor::Impl::addPrimitiveStep(const std::string& name, dnnl::primitive primitive,
                                         std::vector<std::pair<int, int32_t>> reads,
                                         std::vector<std::pair<int, int32_t>> writes,
                                         std::vector<std::pair<int, dnnl::memory>> fixed) {
  CpuStep step;
  step.name = name;
  step.primitive = std::move(primitive);
  step.isPrimitive = true;
  for (const auto& [arg, buffer] : reads) markRead(buffer, stepIndex());
  for (const auto& [arg, buffer] : writes) markRead(buffer, stepIndex());
  step.bufferArgs = std::move(reads);
  step.bufferArgs.insert(step.bufferArgs.end(), writes.begin(), writes.end());
  step.fixedArgs = std::move(fixed);
  steps.push_back(std::move(step));
  ++stats.primitiveSteps;
}

void CpuExecutor::Impl::addReorderStep(const std::string& name, int32_t from, int32_t to) {
  dnnl::primitive_attr attr;
  attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
  const dnnl::reorder::primitive_desc pd(engine, buffers[static_cast<size_t>(from)].desc, engine,
                                         buffers[static_cast<size_t>(to)].desc, attr);
  trackScratchpad(pd);
  addPrimitiveStep(name + "/reorder", dnnl::reorder(pd), {{DNNL_ARG_FROM, from}}, {{DNNL_ARG_TO, to}});
  ++stats.reorderSteps;
}

void CpuExecutor::Impl::addLoopStep(const std::string& name, std::vector<int32_t> inputs, TensorId output,
                                    std::function<void(float* const*)> loop) {
  for (int32_t buffer : inputs) markRead(buffer, stepIndex());
  const int32_t out = addBuffer(plainDesc(graph.tensors[output].shape));
  tensorBuffers[output] = {out};
  CpuStep step;
  step.name = name;
  step.loopBuffers = std::move(inputs);
  step.loopBuffers.push_back(out);
  step.loop = std::move(loop);
  steps.push_back(std::move(step));
  ++stats.loopSteps;
}

dnnl::memory CpuExecutor::Impl::makeConstant(const dnnl::memory::desc& plain, const dnnl::memory::desc& desc,
                                             const std::vector<float>& values) {
  dnnl::memory source(plain, engine);
  std::memcpy(source.get_data_handle(), values.data(), values.size() * sizeof(float));
  if (plain == desc) return source;
  dnnl::memory converted(desc, engine);
  dnnl::reorder(source, converted).execute(stream, source, converted);
  stream.wait();
  return converted;
}

Result<void> CpuExecutor::Impl::finalize() {
  // Arena placement for every non-alias, non-constant buffer.
  std::vector<ArenaRequest> requests;
  std::vector<size_t> placedBuffers;
  for (size_t i = 0; i < buffers.size(); ++i) {
    const CpuBuffer& buffer = buffers[i];
    stats.steps = steps.size();
    if (buffer.aliasOf >= 0 || buffer.constant) continue;
    requests.push_back({buffer.desc.get_size(), buffer.firstStep, buffer.lastStep});
    placedBuffers.push_back(i);
    stats.activationBytes += buffer.desc.get_size();
  }
  const ArenaPlan plan = planArena(requests);
  stats.arenaBytes = plan.totalBytes;
  const size_t arenaBytes = std::max<size_t>((plan.totalBytes + 63) / 64 * 64, 64);
  arena.reset(static_cast<std::byte*>(std::aligned_alloc(64, arenaBytes)));
  if (!arena) return makeError("CpuExecutor", "cannot allocate a " + std::to_string(arenaBytes) + "-byte arena");
  std::memset(arena.get(), 0, arenaBytes);
  for (size_t i = 0; i < placedBuffers.size(); ++i) {
    CpuBuffer& buffer = buffers[placedBuffers[i]];
    buffer.offset = plan.offsets[i];
    buffer.memory = dnnl::memory(buffer.desc, engine, arena.get() + buffer.offset);
  }
  for (CpuBuffer& buffer : buffers)
    if (buffer.aliasOf >= 0)
      buffer.memory = dnnl::memory(buffer.desc, engine, buffers[static_cast<size_t>(buffer.aliasOf)].memory.get_data_handle());

  stats.scratchpadBytes = scratchpadBytes;
  scratchpad = dnnl::memory(dnnl::memory::desc({static_cast<dnnl::memory::dim>(std::max<size_t>(scratchpadBytes, 1))},
                                               dnnl::memory::data_type::u8, dnnl::memory::format_tag::a),
                            engine);
  for (CpuStep& step : steps) {
    for (const auto& [arg, buffer] : step.bufferArgs) step.execArgs.push_back({arg, buffers[static_cast<size_t>(buffer)].memory.get()});
    for (const auto& [arg, memory] : step.fixedArgs) step.execArgs.push_back({arg, memory.get()});
    if (step.isPrimitive) step.execArgs.push_back({DNNL_ARG_SCRATCHPAD, scratchpad.get()});
    for (int32_t buffer : step.loopBuffers)
      step.loopPointers.push_back(static_cast<float*>(buffers[static_cast<size_t>(buffer)].memory.get_data_handle()));
  }
  for (int32_t buffer : inputBuffers)
    inputPointers.push_back(static_cast<float*>(buffers[static_cast<size_t>(buffer)].memory.get_data_handle()));
  for (int32_t buffer : outputBuffers)
    outputPointers.push_back(static_cast<float*>(buffers[static_cast<size_t>(buffer)].memory.get_data_handle()));
  return {};
}

CpuExecutor::CpuExecutor(std::unique_ptr<Impl> impl) : mImpl(std::move(impl)) {}
CpuExecutor::~CpuExecutor() = default;

Result<std::unique_ptr<CpuExecutor>> CpuExecutor::create(const Graph& source, const CpuExecutorOptions& options) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->graph = source;
  Graph& graph = impl->graph;
  MESHRT_TRY(simplifyGraph(graph));
  if (options.threads > 0) omp_set_num_threads(options.threads);
  try {
    impl->tensorBuffers.assign(graph.tensors.size(), {});
    for (TensorId input : graph.inputs) {
      const int32_t buffer = impl->addBuffer(plainDesc(graph.tensors[input].shape));
      impl->tensorBuffers[input] = {buffer};
      impl->inputBuffers.push_back(buffer);
      impl->inputFloats.push_back(static_cast<size_t>(elementCount(graph.tensors[input].shape)));
    }
    impl->lastReader.assign(graph.tensors.size(), -1);
    for (size_t i = 0; i < graph.nodes.size(); ++i)
      for (TensorId id : graph.nodes[i].inputs)
        if (id != NO_TENSOR) impl->lastReader[id] = static_cast<int32_t>(i);
    for (TensorId output : graph.outputs) impl->lastReader[output] = Impl::KEEP_ALIVE;
    for (; impl->currentNode < graph.nodes.size(); ++impl->currentNode) MESHRT_TRY(impl->addNode(graph.nodes[impl->currentNode]));
    for (TensorId output : graph.outputs) {
      const int32_t buffer = impl->plainBuffer(output);
      impl->markRead(buffer, Impl::KEEP_ALIVE);
      impl->outputBuffers.push_back(buffer);
      impl->outputFloats.push_back(static_cast<size_t>(elementCount(graph.tensors[output].shape)));
      impl->outputShapes.push_back(graph.tensors[output].shape);
    }
    MESHRT_TRY(impl->finalize());
  } catch (const dnnl::error& error) {
    return makeError(graph.source.empty() ? "CpuExecutor" : graph.source, std::string("oneDNN: ") + error.what());
  }
  return std::unique_ptr<CpuExecutor>(new CpuExecutor(std::move(impl)));
}

Result<void> CpuExecutor::run(std::span<const std::span<const float>> inputs, std::span<const std::span<float>> outputs) {
  Impl& impl = *mImpl;
  if (inputs.size() != impl.inputBuffers.size() || outputs.size() != impl.outputBuffers.size())
    return makeError("CpuExecutor::run", "expected " + std::to_string(impl.inputBuffers.size()) + " inputs and " +
                                             std::to_string(impl.outputBuffers.size()) + " outputs");
  for (size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].size() != impl.inputFloats[i])
      return makeError("CpuExecutor::run: input " + std::to_string(i), "expected " + std::to_string(impl.inputFloats[i]) +
                                                                           " floats, got " + std::to_string(inputs[i].size()));
  for (size_t i = 0; i < outputs.size(); ++i)
    if (outputs[i].size() != impl.outputFloats[i])
      return makeError("CpuExecutor::run: output " + std::to_string(i), "expected " + std::to_string(impl.outputFloats[i]) +
                                                                            " floats, got " + std::to_string(outputs[i].size()));
  if (impl.options.threads > 0) omp_set_num_threads(impl.options.threads);
  for (size_t i = 0; i < inputs.size(); ++i) std::memcpy(impl.inputPointers[i], inputs[i].data(), inputs[i].size_bytes());
  for (CpuStep& step : impl.steps) {
    if (!step.isPrimitive) {
      step.loop(step.loopPointers.data());
      continue;
    }
    const dnnl_status_t status = dnnl_primitive_execute(step.primitive.get(), impl.stream.get(),
                                                        static_cast<int>(step.execArgs.size()), step.execArgs.data());
    if (status != dnnl_success)
      return makeError("CpuExecutor::run: step '" + step.name + "'", "oneDNN status " + std::to_string(static_cast<int>(status)));
  }
  if (dnnl_stream_wait(impl.stream.get()) != dnnl_success) return makeError("CpuExecutor::run", "oneDNN stream wait failed");
  for (size_t i = 0; i < outputs.size(); ++i) std::memcpy(outputs[i].data(), impl.outputPointers[i], outputs[i].size_bytes());
  return {};
}

const CpuExecutorStats& CpuExecutor::stats() const { return mImpl->stats; }
std::vector<std::string> CpuExecutor::stepNames() const {
  std::vector<std::string> names;
  for (const CpuStep& step : mImpl->steps) names.push_back(step.name);
  return names;
}

const std::vector<Shape>& CpuExecutor::outputShapes() const { return mImpl->outputShapes; }

}  // namespace meshrt::nn
