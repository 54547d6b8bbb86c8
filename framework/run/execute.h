// Executes one resolved run configuration in this process: dataset, backbone, methods (attached in
// order), training, evaluation, prepare_inference, measurement.
#pragma once
#include <map>
#include <string>

#include "framework/train/events.h"

namespace adaptlab {

struct RunConfig;

// device: "auto" (CUDA when available, else CPU), "cpu", "cuda" or "cuda:N".
// Summary keys: val.acc, val.loss, test.acc, test.loss, test.acc_inference (after
// prepare_inference), inference.max_logit_diff, params.total, params.trainable, train.steps,
// time.train_s, throughput.eval (examples/s, after prepare_inference).
// `progress` gets where training stands at each log interval and evaluation.
Summary execute_run(const RunConfig& config, const std::string& device, const MetricSink& sink,
                    const ProgressSink& progress = {});

// Where a run's numbers come from: LibTorch version, CUDA runtime, GPU name, device, host.
std::map<std::string, std::string> runtime_provenance(const std::string& device);

// The device string a run would use ("cpu", "cuda:0").
std::string resolve_device(const std::string& device);

}  // namespace adaptlab
