// gradflow.save / gradflow.load: dicts of tensors to and from safetensors files (the format
// Python's `safetensors` reads), written atomically by the C++ writer.
#include "common.hpp"

namespace gfpy {

void init_io(py::module_& m) {
  m.def(
      "save",
      [](py::handle obj, const std::string& path, std::map<std::string, std::string> metadata) {
        std::vector<std::pair<std::string, Tensor>> tensors;
        if (py::isinstance<Tensor>(obj)) {
          tensors.emplace_back("tensor", obj.cast<Tensor>());
        } else if (py::hasattr(obj, "items")) {
          for (py::handle item : obj.attr("items")()) {
            auto kv = py::reinterpret_borrow<py::tuple>(item);
            tensors.emplace_back(kv[0].cast<std::string>(), kv[1].cast<Tensor>());
          }
        } else {
          throw py::type_error(
              "save: expected a dict of name -> Tensor (e.g. model.state_dict()) "
              "or a Tensor; safetensors files hold tensors only");
        }
        py::gil_scoped_release release;
        gf::io::save_safetensors(path, tensors, metadata);
      },
      py::arg("obj"), py::arg("f"), py::arg("metadata") = std::map<std::string, std::string>{});
  m.def(
      "load",
      [](const std::string& path) {
        gf::io::SafetensorsFile file;
        {
          py::gil_scoped_release release;
          file = gf::io::load_safetensors(path);
        }
        py::dict out;
        for (auto& [name, t] : file.tensors) out[py::str(name)] = t;
        return out;
      },
      py::arg("f"));
  m.def(
      "load_metadata",
      [](const std::string& path) {
        py::gil_scoped_release release;
        return gf::io::load_safetensors(path).metadata;
      },
      py::arg("f"));
}

}  // namespace gfpy
