// Checkpoints as one safetensors file: sections by tensor-name prefix and "checkpoint.*" metadata
// (the layout is in checkpoint.hpp).
#include "gradflow/io/checkpoint.hpp"

#include <nlohmann/json.hpp>

#include "gradflow/error.hpp"
#include "gradflow/io/safetensors.hpp"

namespace gf::io {
namespace {

using nlohmann::json;

constexpr const char* kVersionKey = "checkpoint.version";
constexpr const char* kPositionKey = "checkpoint.position";
constexpr const char* kOptimizerKey = "checkpoint.optimizer";
constexpr const char* kSchedulerKey = "checkpoint.scheduler";
constexpr const char* kOptimizerPrefix = "optimizer.";
constexpr const char* kGeneratorPrefix = "generator.";
constexpr const char* kExtraPrefix = "extra.";

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

// Doubles go through JSON with 17 significant digits: they come back bit for bit.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json scalars_json(const std::map<std::string, double>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j;
}

std::map<std::string, double> scalars_from(const json& j, const std::string& path,
                                           const char* key) {
  GF_CHECK(j.is_object(), "load_checkpoint: ", path, ": '", key, "' is not a JSON object");
  std::map<std::string, double> m;
  for (const auto& [k, v] : j.items()) {
    GF_CHECK(v.is_number(), "load_checkpoint: ", path, ": '", key, "' entry '", k,
             "' is not a number");
    m[k] = v.get<double>();
  }
  return m;
}

}  // namespace

void save_checkpoint(const std::string& path, const Checkpoint& c) {
  GF_CHECK(c.position.epoch >= 0 && c.position.batch >= 0, "save_checkpoint: ", path,
           ": negative position (epoch ", c.position.epoch, ", batch ", c.position.batch, ")");
  NamedTensors tensors;
  tensors.reserve(c.model.size() + c.optimizer_tensors.size() + c.generators.size() +
                  c.extra.size());
  for (const auto& [name, t] : c.model) {
    GF_CHECK(!starts_with(name, kOptimizerPrefix) && !starts_with(name, kGeneratorPrefix) &&
                 !starts_with(name, kExtraPrefix),
             "save_checkpoint: ", path, ": model key '", name,
             "' starts with a reserved prefix (optimizer., generator., extra.)");
    tensors.emplace_back(name, t.detach());
  }
  for (const auto& [name, t] : c.optimizer_tensors)
    if (t.defined()) tensors.emplace_back(kOptimizerPrefix + name, t.detach());
  for (const auto& [name, st] : c.generators)
    tensors.emplace_back(kGeneratorPrefix + name, encode_generator_state(st));
  for (const auto& [name, t] : c.extra) tensors.emplace_back(kExtraPrefix + name, t.detach());

  std::map<std::string, std::string> metadata;
  for (const auto& [k, v] : c.metadata) {
    GF_CHECK(!starts_with(k, "checkpoint."), "save_checkpoint: ", path, ": metadata key '", k,
             "' is reserved (checkpoint.*)");
    metadata[k] = v;
  }
  metadata[kVersionKey] = std::to_string(kCheckpointVersion);
  metadata[kPositionKey] = dump({{"epoch", c.position.epoch}, {"batch", c.position.batch}});
  metadata[kOptimizerKey] = dump(scalars_json(c.optimizer_scalars));
  metadata[kSchedulerKey] = dump(scalars_json(c.scheduler));
  save_safetensors(path, tensors, metadata);
}

bool is_checkpoint(const std::string& path) {
  try {
    return load_safetensors(path).metadata.count(kVersionKey) > 0;
  } catch (const gf::Error&) {
    return false;
  }
}

Checkpoint load_checkpoint(const std::string& path) {
  SafetensorsFile file = load_safetensors(path);
  auto it = file.metadata.find(kVersionKey);
  GF_CHECK(it != file.metadata.end(), "load_checkpoint: ", path,
           ": not a gradflow checkpoint (no '", kVersionKey,
           "' in its metadata; files from gradflow train before format 2 cannot be resumed)");
  GF_CHECK(it->second == std::to_string(kCheckpointVersion), "load_checkpoint: ", path,
           ": checkpoint format ", it->second, ", this gradflow reads format ", kCheckpointVersion);
  Checkpoint c;
  try {
    const json pos = json::parse(file.metadata.at(kPositionKey));
    c.position.epoch = pos.at("epoch").get<int64_t>();
    c.position.batch = pos.at("batch").get<int64_t>();
    c.optimizer_scalars =
        scalars_from(json::parse(file.metadata.at(kOptimizerKey)), path, kOptimizerKey);
    c.scheduler = scalars_from(json::parse(file.metadata.at(kSchedulerKey)), path, kSchedulerKey);
  } catch (const gf::Error&) {
    throw;
  } catch (const std::exception& e) {
    GF_CHECK(false, "load_checkpoint: ", path, ": malformed checkpoint metadata: ", e.what());
  }
  GF_CHECK(c.position.epoch >= 0 && c.position.batch >= 0, "load_checkpoint: ", path,
           ": negative position (epoch ", c.position.epoch, ", batch ", c.position.batch, ")");
  for (auto& [k, v] : file.metadata)
    if (!starts_with(k, "checkpoint.")) c.metadata[k] = v;
  for (auto& [name, t] : file.tensors) {
    if (starts_with(name, kOptimizerPrefix)) {
      c.optimizer_tensors.emplace_back(name.substr(std::string(kOptimizerPrefix).size()), t);
    } else if (starts_with(name, kGeneratorPrefix)) {
      try {
        c.generators[name.substr(std::string(kGeneratorPrefix).size())] = decode_generator_state(t);
      } catch (const gf::Error& e) {
        GF_CHECK(false, "load_checkpoint: ", path, ": tensor '", name, "': ", e.what());
      }
    } else if (starts_with(name, kExtraPrefix)) {
      c.extra.emplace_back(name.substr(std::string(kExtraPrefix).size()), t);
    } else {
      c.model.emplace_back(name, t);
    }
  }
  return c;
}

}  // namespace gf::io
