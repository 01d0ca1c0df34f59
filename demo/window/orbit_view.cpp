#include "window/orbit_view.h"

#include <algorithm>
#include <cmath>

#include "heads/object_frame_mesh.h"

namespace meshrt::demo {
namespace {

constexpr float DEGREES_PER_PIXEL = 0.5f;
constexpr float START_PITCH_BELOW_INPUT = 30.0f;  // degrees
constexpr float MIN_DISTANCE = 1.2f, MAX_DISTANCE = 12.0f;  // bounding radii

// The direction from the object to the input camera, object frame: −Rᵀ t for the pinhole;
// the orthographic face and weak-perspective cameras look along +z, so toward them is Rᵀ (0, 0, −1).
std::array<float, 3> towardInputCamera(const ObjectCamera& camera) {
  const auto& r = camera.rotation;
  if (camera.model != ObjectCameraModel::Pinhole) return {-r[6], -r[7], -r[8]};  // face, ttp, regress
  const auto& t = camera.translation;
  return {-(r[0] * t[0] + r[3] * t[1] + r[6] * t[2]), -(r[1] * t[0] + r[4] * t[1] + r[7] * t[2]),
          -(r[2] * t[0] + r[5] * t[1] + r[8] * t[2])};
}

}  // namespace

Result<std::unique_ptr<OrbitView>> OrbitView::create(vk::Context* context, uint32_t size) {
  std::unique_ptr<OrbitView> view(new OrbitView());
  auto renderer = NovelViewRenderer::create(context);
  if (!renderer) return renderer.error();
  view->mRenderer = std::move(*renderer);
  view->mParams.width = view->mParams.height = size;
  return view;
}

void OrbitView::applyInput(float dragX, float dragY, float wheelNotches) {
  OrbitCamera& camera = mParams.camera;
  camera.yawDegrees = std::remainder(camera.yawDegrees - dragX * DEGREES_PER_PIXEL, 360.0f);
  camera.pitchDegrees = std::clamp(camera.pitchDegrees + dragY * DEGREES_PER_PIXEL, -89.0f, 89.0f);
  camera.distance = std::clamp(camera.distance * std::pow(0.9f, wheelNotches), MIN_DISTANCE, MAX_DISTANCE);
}

Result<void> OrbitView::render(const ReconstructedObject& object, const Image& texture, InsetView view) {
  if (view == InsetView::Off) {
    mImage = Image();
    return {};
  }
  if (!mAimed) {
    orbitAnglesToward(towardInputCamera(object.camera), mParams.camera.yawDegrees, mParams.camera.pitchDegrees);
    // From the input camera's side, but lower, so the first view already shows another angle.
    mParams.camera.pitchDegrees = std::clamp(mParams.camera.pitchDegrees - START_PITCH_BELOW_INPUT, -89.0f, 89.0f);
    mAimed = true;
  }
  mParams.mode = view == InsetView::Correspondence ? NovelViewMode::Correspondence : NovelViewMode::Textured;
  auto rendered = mRenderer->render(objectFrameMesh(object), texture, mParams);
  if (!rendered) return rendered.error();
  mImage = std::move(rendered->image);
  return {};
}

}  // namespace meshrt::demo
