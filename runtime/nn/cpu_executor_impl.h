// CpuExecutor's internals, shared by cpu_executor.cpp (planning, arena, run) and
// cpu_executor_ops.cpp (one builder per op). Not part of the library's interface.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <vector>

#include "nn/cpu_executor.h"

namespace meshrt::nn {

// One tensor in one memory layout. Arena buffers get their bytes from the planned arena; aliases
// reinterpret another buffer's bytes (Reshape, flattening to 2-D); constants own their memory.
struct CpuBuffer {
  dnnl::memory::desc desc;
  int32_t firstStep = 0;  // step that first writes it
  int32_t lastStep = 0;   // last step that reads it (KEEP_ALIVE: graph outputs)
  int32_t aliasOf = -1;   // base buffer, or -1
  bool constant = false;
  dnnl::memory memory;    // bound at finalize() (constants: at creation)
  size_t offset = 0;      // bytes into the arena
};

// One thing run() does: a oneDNN primitive, or a plain loop over plain-layout (C order) buffers.
struct CpuStep {
  std::string name;  // the node's name, plus "/reorder" for layout changes
  dnnl::primitive primitive;
  bool isPrimitive = false;
  std::vector<std::pair<int, int32_t>> bufferArgs;       // (DNNL_ARG_*, buffer)
  std::vector<std::pair<int, dnnl::memory>> fixedArgs;   // weights and biases, owned
  std::vector<dnnl_exec_arg_t> execArgs;                 // built by finalize()
  std::vector<int32_t> loopBuffers;                      // loop steps: inputs..., output
  std::function<void(float* const*)> loop;               // called with the loopBuffers' data
  std::vector<float*> loopPointers;                      // built by finalize()
};

struct CpuExecutor::Impl {
  static constexpr int32_t KEEP_ALIVE = std::numeric_limits<int32_t>::max();

  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  CpuExecutorOptions options;
  Graph graph;  // simplified copy
  std::vector<CpuBuffer> buffers;
  std::vector<CpuStep> steps;
  // Every buffer holding each tensor, the producer's first; later ones are reorders of it.
  std::vector<std::vector<int32_t>> tensorBuffers;
  std::vector<int32_t> lastReader;  // per tensor: index of the last node reading it (KEEP_ALIVE: graph output)
  size_t currentNode = 0;           // the node being planned
  std::vector<int32_t> inputBuffers, outputBuffers;  // plain layout
  std::vector<size_t> inputFloats, outputFloats;     // element counts
  std::vector<float*> inputPointers, outputPointers;
  std::vector<Shape> outputShapes;
  std::unique_ptr<std::byte, void (*)(std::byte*)> arena{nullptr, [](std::byte* p) { std::free(p); }};
  dnnl::memory scratchpad;
  size_t scratchpadBytes = 0;
  CpuExecutorStats stats;

  // Planning (cpu_executor.cpp).
  int32_t stepIndex() const { return static_cast<int32_t>(steps.size()); }
  int32_t addBuffer(const dnnl::memory::desc& desc);
  int32_t addAlias(int32_t base, const dnnl::memory::desc& desc);
  int32_t addConstantBuffer(const dnnl::memory::desc& desc, const std::vector<float>& values);
  void markRead(int32_t buffer, int32_t step);
  // The buffers holding `tensor`; a constant gets its plain owned buffer on first use.
  std::vector<int32_t>& heldBuffers(TensorId tensor);
  const dnnl::memory::desc& currentDesc(TensorId tensor);
  // The tensor in layout `desc`, reordering (once per layout) when it is held in another.
  int32_t bufferIn(TensorId tensor, const dnnl::memory::desc& desc);
  int32_t plainBuffer(TensorId tensor);
  // True when `buffer` (holding `tensor`) may be overwritten by the current node: the tensor has
  // no later reader, and the buffer is an arena buffer nobody else views.
  bool canOverwrite(TensorId tensor, int32_t buffer) const;
  dnnl::primitive_attr makeAttr(const Activation& activation, bool residualSum);
  void trackScratchpad(const dnnl::primitive_desc_base& pd);
  // Adds a primitive step reading `reads` and writing `writes` (buffer ids with their args).
  void addPrimitiveStep(const std::string& name, dnnl::primitive primitive, std::vector<std::pair<int, int32_t>> reads,
                        std::vector<std::pair<int, int32_t>> writes, std::vector<std::pair<int, dnnl::memory>> fixed = {});
  void addReorderStep(const std::string& name, int32_t from, int32_t to);
  // A loop over plain buffers: inputs then one output (a new plain buffer for tensor `output`).
  void addLoopStep(const std::string& name, std::vector<int32_t> inputs, TensorId output,
                   std::function<void(float* const*)> loop);
  // Weights/bias: a memory in `desc`, filled from plain fp32 `values` laid out as `plain`.
  dnnl::memory makeConstant(const dnnl::memory::desc& plain, const dnnl::memory::desc& desc, const std::vector<float>& values);
  Result<void> finalize();

  // One builder per op (cpu_executor_ops.cpp); each leaves the output in tensorBuffers.
  Result<void> addNode(const Node& node);
  void addConv(const Node& node);
  void addFullyConnected(const Node& node);
  void addPool(const Node& node);
  void addEltwise(const Node& node);
  void addBinary(const Node& node);
  void addPRelu(const Node& node);
  void addConcat(const Node& node);
  void addLoopOp(const Node& node);
  void addReshape(const Node& node);
};

// An IR activation as a oneDNN eltwise algorithm (clip: max(alpha, min(beta, x))).
struct EltwiseParams {
  dnnl::algorithm kind;
  float alpha, beta;
};
EltwiseParams eltwiseParams(const Activation& activation);

dnnl::memory::dims toDims(const Shape& shape);
dnnl::memory::desc plainDesc(const Shape& shape);  // C-order strides, fp32
dnnl::memory::desc anyDesc(const Shape& shape);    // format_tag::any, fp32

}  // namespace meshrt::nn
