// Executes one resolved run configuration in this process: dataset, backbone, methods (attached in
// order), training, evaluation, prepare_inference, measurement.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "framework/train/events.h"

namespace adaptlab {

struct RunConfig;

// device: "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".
// Summary keys: val.acc, val.loss, test.acc, test.loss, test.acc_inference (after
// prepare_inference), inference.max_logit_diff, params.total, params.trainable, train.steps,
// time.train_s, test.acc.<variant>. Costs come from the measurement phase (measure_run).
// `progress` gets where training stands at each log interval and evaluation. With `artifacts_dir`,
// the trained tensors are saved there (framework/run/artifacts.h) and listed in `artifacts`.
Summary execute_run(const RunConfig& config, const std::string& device, const MetricSink& sink,
                    const ProgressSink& progress = {}, const std::string& artifacts_dir = "",
                    std::vector<ArtifactRecord>* artifacts = nullptr);

// The measurement phase of a trained run (framework/measure/measure.h): builds the run's model, loads
// the tensors saved in `artifacts_dir`, times training steps, then (weights reloaded,
// prepare_inference) inference and every variant. `provenance` gets measure.precision,
// measure.threads, measure.device and whether the memory peak could be reset.
Summary measure_run(const RunConfig& config, const std::string& device, const std::string& artifacts_dir,
                    std::map<std::string, std::string>& provenance);

// Where a run's numbers come from: LibTorch version, CUDA runtime, GPU name, device, host.
std::map<std::string, std::string> runtime_provenance(const std::string& device);

// The device string a run would use ("cpu", "cuda:0").
std::string resolve_device(const std::string& device);

}  // namespace adaptlab
