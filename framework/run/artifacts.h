// What a finished run saves beside its database so that it can be measured, evaluated or built on
// later without training again: every tensor it trained (requires_grad; the whole backbone when the
// method trains all of it) and every buffer, by state-dict name, as
// results/<study>.artifacts/<run id>/trained.safetensors. The database records path, size and hash.
#pragma once
#include <string>
#include <vector>

#include "framework/core/records.h"

namespace adaptlab {

class Backbone;
class Method;
struct InitSource;

inline constexpr const char* kTrainedArtifact = "trained";

// Saves the trained tensors (before prepare_inference) into `dir` (created); metadata: run id, kind, and
// what each method's structure change needs to be replayed (StructureChange::saved_structure, one entry
// "method.<i>.<key>" per top-level key, the value as JSON text).
ArtifactRecord save_trained(Backbone& backbone, const std::vector<Method*>& methods, const std::string& dir,
                            const std::string& run_id);

// Loads a saved file back into a backbone built the same way (methods attached): the methods first
// replay their structural changes (StructureChange::restore_structure: pruning), then every saved tensor
// must exist with the same shape and dtype, then StructureChange::after_load. The file's run id must be `run_id`
// ("" = any).
void load_trained(Backbone& backbone, const std::vector<Method*>& methods, const std::string& path,
                  const std::string& run_id);

// Loads an init source's file (InitSource::artifact) into the backbone: every tensor not excluded by
// name prefix is copied onto the tensor of that name (same shape and dtype, else an error naming it); with
// `strict`, a tensor the model does not have is an error too (else it is left out and counted). The
// dependency's structural changes (pruning) are not replayed: loading from a pruned run is an error.
// Returns how many tensors were loaded.
int64_t load_init(Backbone& backbone, const InitSource& source);

// <dir>/trained.safetensors
std::string trained_path(const std::string& dir);

}  // namespace adaptlab
