// The category heads as a frame pipeline (DESIGN §2): detector → landmark crop → landmark model →
// 3D pose and posed mesh, for the packs of docs/PACKS.md (head "objectron" or "face"), or one
// encoder on the whole frame → weak-perspective camera and deformed template (heads "ttp" and
// "regress", heads/deform_pipeline.h). One class per head behind this interface;
// createObjectPipeline() picks it from the pack and options.head.
//
// Models are imported once at create() and run by the oneDNN CpuExecutor. The preprocess runs
// on the host (preprocessReference, the CPU reference of the Vulkan PreprocessStage), or, with
// options.encoderIoContext, as the Vulkan PreprocessStage writing the encoder input through
// interop::EncoderIo (heads/pack_model.h); the frame is then uploaded once per process() and
// read by every model run of that frame. Both give the same results (docs/INTEROP.md).
// Tracking (video, webcam, looped image): when enabled, the next frame's landmark crop comes
// from this frame's keypoints (heads/tracking_crop.h) and the detector runs again only when no
// object is tracked, a tracked object's presence drops below the pack's min_presence, or
// options.redetectEveryFrames frames have passed since it last ran.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/image.h"
#include "core/pack.h"
#include "core/textured_mesh.h"
#include "heads/epnp_box.h"
#include "heads/image_texturing.h"
#include "stages/preprocess.h"
#include "meshrt/result.h"

namespace meshrt {

namespace vk {
class Context;
}
class Profiler;

// How an object's camera maps its mesh to the image.
enum class ObjectCameraModel {
  // Full perspective with the pack's assumed intrinsics: pixel = K·(R·X + t), X in the object
  // frame (+y up, DESIGN §5), camera frame OpenCV. t in `translationUnit` units.
  Pinhole,
  // Scaled orthographic in pixels (face): (x, y) = scale·(R·X)_xy + t_xy, X in the canonical
  // face frame; z = scale·(R·X)_z + t_z is depth in pixels (smaller = nearer the camera).
  OrthographicPixels,
  // Weak perspective (ttp, regress; DESIGN §5): p = scale·(R·X)_xy + t_xy in normalized image
  // coordinates [-1, 1] over the whole frame (x right, y down; pixel x = (p_x + 1)·W/2), X in the
  // object frame; t_z = 0.
  WeakPerspective,
};

struct ObjectCamera {
  ObjectCameraModel model = ObjectCameraModel::Pinhole;
  PinholeIntrinsics intrinsics;         // the photo's assumed pinhole (pack camera.focal_per_long_side)
  std::array<float, 9> rotation{};      // R, object frame → camera frame, row-major
  std::array<float, 3> translation{};   // t, camera frame (relative units, or pixels)
  float scale = 1;                      // OrthographicPixels and WeakPerspective only
};

// What the ttp and regress heads add to an object (heads/deform_pipeline.h).
struct DeformResult {
  std::string head;                     // "ttp" or "regress": which head ran
  std::array<float, 4> quaternion{};    // the camera rotation as (w, x, y, z), unit, w ≥ 0
  std::vector<float> coefficients;      // c, K deformation coefficients: X = T + B·c
  std::vector<float> objectVertices;    // X, N×3, object frame (+y up)
  std::vector<float> points;            // N×2 normalized image coordinates: ttp the encoder's
                                        // points, regress the projected vertices
  std::vector<float> visibility;        // ttp: N encoder visibilities in [0, 1]; regress: empty
  float solverLoss = 0;                 // ttp: TTP eq. 4 at the solution; regress: 0
  float silhouetteCost = 0;             // pack silhouette_fit: the chamfer terms of E after the
                                        // anchored fit (ttp: of the kept candidate), fit pixels²
                                        // (heads/silhouette_fit.h); 0 without it
};

struct ObjectBox {
  std::array<float, 3> center{};  // camera frame (OpenCV), translation unit
  std::array<float, 3> size{};    // full extent along the box's x, y, z
  std::array<float, 9> rotation{};  // box frame → camera, row-major
  const char* translationUnit = BOX_TRANSLATION_UNIT;  // "relative": |center| = 1
};

struct ReconstructedObject {
  float score = 0;                 // the landmark model's presence (face: sigmoid of the face flag)
  float detectionScore = 0;        // the detector's score, 0 when the crop came from tracking
  std::vector<float> keypoints2d;  // N×2 input-image pixels: 9 box keypoints (MediaPipe order)
                                   // or 468 face landmarks (model index order)
  std::vector<float> landmarkDepth;  // face: N depths in pixels (z scaled like x); empty for boxes
  CropRect crop;                   // the landmark crop it was found in, pixels
  ObjectCamera camera;
  bool hasBox = false;
  ObjectBox box;
  // The posed mesh with the template's UVs and triangles. Boxes: camera frame, relative units.
  // Face: input-image pixels (x right, y down) and depth z in pixels (smaller = nearer).
  // ttp / regress: camera frame (OpenCV axes) in normalized image units, s·R·X + (t_x, t_y, 0):
  // x, y are the normalized image coordinates, z relative depth (smaller = nearer).
  TexturedMesh mesh;
  bool hasDeform = false;
  DeformResult deform;
};

struct PipelineFrameResult {
  std::vector<ReconstructedObject> objects;
  bool ranDetector = false;
  // Stage timings of this frame, milliseconds, in execution order (summed over objects).
  std::vector<std::pair<std::string, double>> timingsMs;
};

struct ObjectPipelineOptions {
  int threads = 2;        // oneDNN threads per model
  bool tracking = false;  // false: every frame is detected from scratch (single images)
  // When set, process() records CPU spans on the calling thread: "preprocess" and "encoder" per
  // model run, "decode" (detector and landmark outputs), "solve" (EPnP box lift, face pose),
  // "mesh". The profiler must outlive the pipeline.
  Profiler* profiler = nullptr;
  // Tracking only: the detector also runs (and replaces the tracks) when this many frames have
  // passed since it last ran; 0 = only when the tracks are lost. The landmark models' presence
  // alone does not reject other objects (the cup model scores 0.99998 on a cat in the cup's old
  // crop), so a track can stick to something else until the detector looks again.
  uint32_t redetectEveryFrames = 0;
  // Set: the encoder-I/O path on this Vulkan device (heads/pack_model.h): the Vulkan
  // preprocess writes the encoder input into EncoderIo buffers, the executor reads them and
  // writes its outputs there, synchronized by the EncoderIo timelines. Null: the host path.
  // The context must outlive the pipeline.
  vk::Context* encoderIoContext = nullptr;
  // The head to run, "" = the pack's (`head` in pack.json). A ttp / regress pack runs "ttp" or
  // "regress" when its encoder has that head's outputs (PackSpec::supportsHead); other packs
  // only their own head.
  std::string head;
};

class ObjectPipeline {
 public:
  virtual ~ObjectPipeline() = default;
  // `frame`: RGB8 or RGBA8. Errors are pipeline failures; "nothing found" is an empty result.
  virtual Result<PipelineFrameResult> process(const Image& frame) = 0;
  virtual void resetTracking() = 0;
  virtual const PackSpec& pack() const = 0;
  // "host" or the EncoderIo path name ("host-visible", "cuda-zero-copy"), and on the EncoderIo
  // path why it is not CUDA zero-copy (empty otherwise).
  virtual const char* encoderIoName() const = 0;
  virtual std::string encoderIoFallbackReason() const = 0;
  // Frames uploaded to the Vulkan device so far (0 on the host path): one per process().
  virtual uint64_t frameUploads() const = 0;
};

// Imports the pack's models and template and builds the head the pack names. Errors name the
// file and reason (unknown head, a model that does not import, a template that does not fit).
Result<std::unique_ptr<ObjectPipeline>> createObjectPipeline(const PackSpec& pack, const ObjectPipelineOptions& options);

// The texturing view of an object's camera (heads/image_texturing.h): Pinhole → Perspective
// with its intrinsics, OrthographicPixels → OrthographicPixels, WeakPerspective → NormalizedImage.
ImageTexturingParams texturingParamsFor(const ObjectCamera& camera, uint32_t textureSize);

// The pack's assumed pinhole for a W×H photo: f = focal_per_long_side·max(W, H), centre W/2, H/2.
PinholeIntrinsics assumedIntrinsics(const PackSpec& pack, uint32_t width, uint32_t height);

}  // namespace meshrt
