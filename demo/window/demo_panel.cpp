#include "window/demo_panel.h"

#include <imgui.h>

#include <algorithm>

#include "window/window_layout.h"

namespace meshrt::demo {
namespace {

ImVec4 rgb(const uint8_t color[3]) { return ImVec4(color[0] / 255.0f, color[1] / 255.0f, color[2] / 255.0f, 1.0f); }

void stageRows(const char* track, const std::map<std::string, StageStats>& stages) {
  for (const auto& [name, stats] : stages) {
    ImGui::TableNextRow();
    ImGui::TableSetColumnIndex(0);
    ImGui::TextUnformatted(name.c_str());
    ImGui::TableSetColumnIndex(1);
    ImGui::TextUnformatted(track);
    ImGui::TableSetColumnIndex(2);
    ImGui::Text("%.3f", stats.p50Ms);
    ImGui::TableSetColumnIndex(3);
    ImGui::Text("%.3f", stats.p99Ms);
  }
}

}  // namespace

void TimingHistory::push(float p50Ms, float p99Ms) {
  p50[next] = p50Ms;
  p99[next] = p99Ms;
  next = (next + 1) % LENGTH;
  filled = std::min(filled + 1, LENGTH);
}

void applyPanelStyle() {
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.Colors[ImGuiCol_TitleBg] = rgb(PANEL_TITLE_RGB);
  style.Colors[ImGuiCol_TitleBgActive] = rgb(PANEL_TITLE_RGB);
  style.Colors[ImGuiCol_TitleBgCollapsed] = rgb(PANEL_TITLE_RGB);
  style.WindowRounding = 0.0f;
}

void drawPanel(const PanelInfo& info, const TimingHistory& history, float windowWidth, float windowHeight,
               PanelActions& actions) {
  ImGui::SetNextWindowPos(ImVec2(windowWidth - PANEL_WIDTH, 0.0f));
  ImGui::SetNextWindowSize(ImVec2(PANEL_WIDTH, windowHeight));
  ImGui::Begin("meshrt", nullptr, ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse);
  ImGui::Text("Device: %s", info.device.c_str());
  ImGui::TextWrapped("Driver: %s", info.driver.c_str());
  ImGui::Text("Source: %s", info.source.c_str());
  actions.openSource.clear();
  ImGui::SetNextItemWidth(PANEL_WIDTH - 90.0f);
  ImGui::InputText("##source", actions.sourceText.data(), actions.sourceText.size());
  ImGui::SameLine();
  if (ImGui::Button("Open")) actions.openSource = actions.sourceText.data();
  if (ImGui::Button("Sample")) actions.openSource = "sample";
  ImGui::SameLine();
  if (ImGui::Button("Webcam")) actions.openSource = "webcam:0";
  ImGui::SameLine();
  ImGui::TextDisabled("or a video, image or directory path");
  actions.selectPack.clear();
  if (!info.packChoices.empty()) {
    ImGui::SetNextItemWidth(PANEL_WIDTH - 90.0f);
    const std::string shownPack = info.pack.empty() ? std::string("none") : info.pack;
    if (ImGui::BeginCombo("pack", shownPack.c_str())) {
      for (const std::string& choice : info.packChoices) {
        if (ImGui::Selectable(choice.c_str(), choice == shownPack) && choice != shownPack) actions.selectPack = choice;
      }
      ImGui::EndCombo();
    }
  }
  if (info.pack.empty()) {
    ImGui::TextWrapped("Pack: none. Shown: the input frame with the centred crop (green).");
    actions.resetFusion = false;
    actions.exportMesh = false;
  } else {
    ImGui::Text("Pack: %s, objects: %zu", info.pack.c_str(), info.objects);
    ImGui::Text("Texture seen: %.0f%%", 100.0 * info.textureCoverage);
    ImGui::SameLine();
    actions.resetFusion = ImGui::Button("Reset fusion");
    ImGui::SameLine();
    actions.exportMesh = ImGui::Button("Export mesh");
    ImGui::TextWrapped("Shown: the input with the reconstruction (box edges and keypoints, or the face mesh), "
                       "top right the object's fused UV texture, bottom left a novel view of the textured mesh.");
    ImGui::Text("Novel view:");
    ImGui::SameLine();
    ImGui::RadioButton("orbit", &actions.insetView, 0);
    ImGui::SameLine();
    ImGui::RadioButton("UV map", &actions.insetView, 1);
    ImGui::SameLine();
    ImGui::RadioButton("off", &actions.insetView, 2);
    if (!info.orbit.empty()) ImGui::TextDisabled("%s (drag: orbit, wheel: zoom)", info.orbit.c_str());
  }
  ImGui::Separator();
  ImGui::Text("FPS: %.1f", info.fps);
  ImGui::Checkbox("vsync", &actions.vsync);
  ImGui::SameLine();
  ImGui::Checkbox("fullscreen", &actions.fullscreen);
  actions.saveScreenshot = ImGui::Button("Save screenshot");
  if (!info.status.empty()) ImGui::TextWrapped("%s", info.status.c_str());
  ImGui::Separator();
  if (ImGui::BeginTable("stages", 4, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("stage");
    ImGui::TableSetupColumn("track");
    ImGui::TableSetupColumn("p50 ms");
    ImGui::TableSetupColumn("p99 ms");
    ImGui::TableHeadersRow();
    stageRows("cpu", info.cpuStages);
    stageRows("gpu", info.gpuStages);
    ImGui::EndTable();
  }
  ImGui::Text("frame time p50 / p99 (ms)");
  // Oldest entry first: before the ring is full that is entry 0.
  const int count = static_cast<int>(history.filled);
  const int offset = history.filled < TimingHistory::LENGTH ? 0 : static_cast<int>(history.next);
  ImGui::PlotLines("p50", history.p50.data(), count, offset, nullptr, 0.0f, FLT_MAX, ImVec2(0, 50));
  ImGui::PlotLines("p99", history.p99.data(), count, offset, nullptr, 0.0f, FLT_MAX, ImVec2(0, 50));
  ImGui::End();
}

}  // namespace meshrt::demo
