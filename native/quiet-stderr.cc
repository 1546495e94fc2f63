// A tiny Node addon (no TensorFlow dependency): point file descriptor 2 elsewhere while the native
// TensorFlow library loads, then put it back. libtensorflow writes its start-up log lines (absl's
// "All log messages before absl::InitializeLog()…", the oneDNN and CPU-feature notices) straight
// to fd 2 from C++, where TF_CPP_MIN_LOG_LEVEL does not reach them; the project's commands promise
// that nothing but their own lines reaches stderr.
//
//   const q = require('quiet-stderr.node');
//   const saved = q.redirect('/path/to/log');  // fd 2 → that file (created/truncated); returns the old fd 2
//   …load tfjs-node…
//   q.restore(saved);                          // fd 2 back as it was
#include <fcntl.h>
#include <node_api.h>
#include <unistd.h>

#include <string>

namespace {

napi_value Throw(napi_env env, const char* message) {
  napi_throw_error(env, nullptr, message);
  return nullptr;
}

napi_value Redirect(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != 1) return Throw(env, "redirect(path) takes one path");
  size_t length = 0;
  if (napi_get_value_string_utf8(env, argv[0], nullptr, 0, &length) != napi_ok) return Throw(env, "redirect(path): path must be a string");
  std::string path(length, '\0');
  napi_get_value_string_utf8(env, argv[0], path.data(), length + 1, &length);
  fflush(stderr);
  const int saved = dup(2);
  if (saved < 0) return Throw(env, "redirect: dup(2) failed");
  const int target = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (target < 0 || dup2(target, 2) < 0) {
    if (target >= 0) close(target);
    close(saved);
    return Throw(env, "redirect: cannot open the log file");
  }
  close(target);
  napi_value result;
  napi_create_int32(env, saved, &result);
  return result;
}

napi_value Restore(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t saved = -1;
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok || argc != 1 ||
      napi_get_value_int32(env, argv[0], &saved) != napi_ok || saved < 0) {
    return Throw(env, "restore(fd) takes the number redirect() returned");
  }
  fflush(stderr);
  const bool ok = dup2(saved, 2) >= 0;
  close(saved);
  if (!ok) return Throw(env, "restore: dup2 failed");
  return nullptr;
}

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"redirect", nullptr, Redirect, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"restore", nullptr, Restore, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, 2, props);
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
