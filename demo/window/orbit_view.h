// The window's novel-view inset (issue 10 "Views"): object 0's mesh with the fused texture,
// rendered in its own frame (heads/object_frame_mesh.h) from a virtual camera orbiting it
// (render/novel_view.h: the Vulkan raster and sampling stages), or its correspondence map
// (per-pixel UV as colour, paper 001 Fig. 7). Mouse drag turns the orbit, the wheel zooms. The
// orbit starts on the side the input camera saw the object from (30° lower), so the textured
// side faces the viewer.
#pragma once

#include <memory>

#include "core/image.h"
#include "heads/object_pipeline.h"
#include "meshrt/result.h"
#include "render/novel_view.h"

namespace meshrt::demo {

enum class InsetView { Orbit = 0, Correspondence = 1, Off = 2 };

class OrbitView {
 public:
  // context == nullptr: the CPU references.
  static Result<std::unique_ptr<OrbitView>> create(vk::Context* context, uint32_t size);

  // A drag of (dx, dy) window pixels turns the orbit (right: the object turns right; down: the
  // eye rises); each wheel notch up moves the eye 10% nearer.
  void applyInput(float dragX, float dragY, float wheelNotches);
  // The next object aims the orbit at its input camera again (after a fusion reset).
  void reset() { mAimed = false; }
  Result<void> render(const ReconstructedObject& object, const Image& texture, InsetView view);
  const Image& image() const { return mImage; }  // RGB8 size², empty before the first render
  const OrbitCamera& camera() const { return mParams.camera; }

 private:
  OrbitView() = default;
  std::unique_ptr<NovelViewRenderer> mRenderer;
  NovelViewParams mParams;
  bool mAimed = false;
  Image mImage;
};

}  // namespace meshrt::demo
