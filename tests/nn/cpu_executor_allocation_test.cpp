// CpuExecutor::run() allocates nothing of its own: counts global operator new calls made on this
// thread while run() executes. The loop-only graph must make none. oneDNN's execute() builds an
// argument map per primitive inside libdnnl, so for primitive graphs the count is reported in the
// test log, not asserted.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "nn/cpu_executor.h"
#include "nn/graph_builder.h"

namespace {
thread_local bool gCounting = false;
thread_local size_t gAllocations = 0;
}  // namespace

// Replaceable global allocation functions, every form (plain, array, nothrow, aligned), all on
// malloc/free so that sanitizers see matching pairs. The whole test binary uses them; they only
// count.
namespace {
void* countedAllocate(size_t bytes, size_t alignment) {
  if (gCounting) ++gAllocations;
  bytes = bytes ? bytes : 1;
  if (alignment <= alignof(std::max_align_t)) return std::malloc(bytes);
  return std::aligned_alloc(alignment, (bytes + alignment - 1) / alignment * alignment);
}
void* countedAllocateOrThrow(size_t bytes, size_t alignment) {
  if (void* pointer = countedAllocate(bytes, alignment)) return pointer;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(size_t bytes) { return countedAllocateOrThrow(bytes, 0); }
void* operator new[](size_t bytes) { return countedAllocateOrThrow(bytes, 0); }
void* operator new(size_t bytes, const std::nothrow_t&) noexcept { return countedAllocate(bytes, 0); }
void* operator new[](size_t bytes, const std::nothrow_t&) noexcept { return countedAllocate(bytes, 0); }
void* operator new(size_t bytes, std::align_val_t alignment) { return countedAllocateOrThrow(bytes, size_t(alignment)); }
void* operator new[](size_t bytes, std::align_val_t alignment) { return countedAllocateOrThrow(bytes, size_t(alignment)); }
void* operator new(size_t bytes, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return countedAllocate(bytes, size_t(alignment));
}
void* operator new[](size_t bytes, std::align_val_t alignment, const std::nothrow_t&) noexcept {
  return countedAllocate(bytes, size_t(alignment));
}
void operator delete(void* pointer) noexcept { std::free(pointer); }
void operator delete[](void* pointer) noexcept { std::free(pointer); }
void operator delete(void* pointer, size_t) noexcept { std::free(pointer); }
void operator delete[](void* pointer, size_t) noexcept { std::free(pointer); }
void operator delete(void* pointer, const std::nothrow_t&) noexcept { std::free(pointer); }
void operator delete[](void* pointer, const std::nothrow_t&) noexcept { std::free(pointer); }
void operator delete(void* pointer, std::align_val_t) noexcept { std::free(pointer); }
void operator delete[](void* pointer, std::align_val_t) noexcept { std::free(pointer); }
void operator delete(void* pointer, size_t, std::align_val_t) noexcept { std::free(pointer); }
void operator delete[](void* pointer, size_t, std::align_val_t) noexcept { std::free(pointer); }
void operator delete(void* pointer, std::align_val_t, const std::nothrow_t&) noexcept { std::free(pointer); }
void operator delete[](void* pointer, std::align_val_t, const std::nothrow_t&) noexcept { std::free(pointer); }

namespace meshrt::nn {
namespace {

using test::GraphBuilder;

// Allocations made by run() on this thread, after one warm-up run.
size_t allocationsPerRun(const Graph& graph) {
  auto executor = CpuExecutor::create(graph, {1});
  EXPECT_TRUE(executor.ok()) << executor.error().message;
  if (!executor.ok()) return SIZE_MAX;
  std::vector<std::vector<float>> inputs, outputs;
  for (TensorId id : graph.inputs) inputs.emplace_back(static_cast<size_t>(elementCount(graph.tensors[id].shape)), 0.5f);
  for (const Shape& shape : (*executor)->outputShapes()) outputs.emplace_back(static_cast<size_t>(elementCount(shape)));
  const std::vector<std::span<const float>> inputSpans(inputs.begin(), inputs.end());
  const std::vector<std::span<float>> outputSpans(outputs.begin(), outputs.end());
  EXPECT_TRUE((*executor)->run(inputSpans, outputSpans).ok());
  gAllocations = 0;
  gCounting = true;
  const auto result = (*executor)->run(inputSpans, outputSpans);
  gCounting = false;
  EXPECT_TRUE(result.ok());
  return gAllocations;
}

TEST(NnCpuExecutorAllocation, LoopStepsAndRunAllocateNothing) {
  GraphBuilder b;
  const TensorId x = b.input({1, 3, 6, 5});
  const TensorId padded = b.node(OpType::Pad, {x}, PadAttributes{{0, 1, 1, 0}, {0, 0, 0, 1}, 0.0f});
  // Loop ops only (Concat is a oneDNN primitive): Pad, Transpose, Resize, Softmax, Reshape (alias).
  const TensorId nhwc = b.node(OpType::Transpose, {padded}, TransposeAttributes{{0, 2, 3, 1}});
  const TensorId resized = b.node(OpType::Resize, {x}, ResizeAttributes{ResizeMode::Bilinear, 9, 7, false, true});
  const TensorId soft = b.node(OpType::Softmax, {resized}, SoftmaxAttributes{1});
  const TensorId flat = b.node(OpType::Reshape, {nhwc}, ReshapeAttributes{{1, -1}});
  b.output(flat);
  b.output(soft);
  ASSERT_TRUE(inferShapes(b.graph()).ok());
  EXPECT_EQ(allocationsPerRun(b.graph()), 0u);
}

TEST(NnCpuExecutorAllocation, PrimitiveStepsReportOneDnnInternals) {
  GraphBuilder b;
  const TensorId x = b.input({1, 8, 12, 12});
  Conv2DAttributes a;
  a.padding.same = true;
  a.activation.type = ActivationType::Relu6;
  const TensorId y = b.node(OpType::Conv2D, {x, b.randomConstant({8, 8, 3, 3}, 1), b.randomConstant({8}, 2)}, a);
  b.output(b.node(OpType::MaxPool, {y}, Pool2DAttributes{2, 2, 2, 2, {}, false}));
  ASSERT_TRUE(inferShapes(b.graph()).ok());
  const size_t count = allocationsPerRun(b.graph());
  std::printf("operator new calls inside oneDNN per run (conv + pool + reorders): %zu\n", count);
  EXPECT_NE(count, SIZE_MAX);
}

}  // namespace
}  // namespace meshrt::nn
