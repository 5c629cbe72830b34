// Tensors to and from files in the safetensors format (https://github.com/huggingface/safetensors),
// so checkpoints interoperate with Python's `safetensors` library:
//   [u64 little-endian N][N bytes of JSON header, space-padded to a multiple of 8][raw data]
//   header: {"__metadata__": {"format": "pt", ...},
//            "name": {"dtype": "F32"|"F64"|"I64", "shape": [..], "data_offsets": [begin, end]}}
// Offsets count from the first byte after the header; data regions are contiguous, in order,
// little-endian, row-major. Like the reference writer, tensors are laid out sorted by dtype
// (I64, F64, F32) and then by name, so the same tensors give byte-identical files.
#pragma once
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gradflow/generator.hpp"
#include "gradflow/tensor.hpp"

namespace gf::io {

// Written into every file's metadata; a file with a larger version is refused on load.
inline constexpr const char* kGradflowFormatVersion = "1";

struct SafetensorsFile {
  std::string path;                                     // for error messages
  std::vector<std::pair<std::string, Tensor>> tensors;  // in file (data offset) order
  std::map<std::string, std::string> metadata;          // the "__metadata__" entries

  bool contains(const std::string& name) const;
  // The tensor called `name`; throws gf::Error naming the file and the missing tensor.
  const Tensor& at(const std::string& name) const;
};

// Writes the tensors (any strides; BOOL/U8/I32/I64/F32/F64) atomically (write_file_atomic). metadata gets
// "format": "pt" unless given and "gradflow_format_version": "1". Names must be unique and
// non-empty and not "__metadata__".
void save_safetensors(const std::string& path,
                      const std::vector<std::pair<std::string, Tensor>>& tensors,
                      const std::map<std::string, std::string>& metadata = {});
// The exact bytes save_safetensors writes.
std::string serialize_safetensors(const std::vector<std::pair<std::string, Tensor>>& tensors,
                                  const std::map<std::string, std::string>& metadata = {});

// Reads a file, validating everything before allocating tensors: header length (<= 100 MB and
// within the file), JSON, dtypes, shapes (non-negative, <= 8 dims, no overflow), offsets (inside
// the data section, contiguous, no gaps or overlaps, sizes matching shape x dtype). Errors throw
// gf::Error naming the file and the tensor:
//   "load_safetensors: model.safetensors: tensor 'fc1.weight': data_offsets [0, 12] hold 12
//    bytes but F32 shape [2, 2] needs 16"
SafetensorsFile load_safetensors(const std::string& path);
// Same, from bytes in memory (`source` names them in errors; used by the fuzz targets).
SafetensorsFile parse_safetensors(std::string_view bytes, const std::string& source = "<memory>");

// A Generator's whole state as an Int64 [6] tensor (the four xoshiro words, has_spare, and the
// cached normal's bits), so checkpoints can store it next to the weights; decoding validates the
// shape and dtype and refuses the all-zero xoshiro state.
Tensor encode_generator_state(const Generator::State& state);
Generator::State decode_generator_state(const Tensor& encoded);

}  // namespace gf::io
