// C interface over libsentencepiece (C++). Implemented in sp_shim.cpp.
#ifndef BAE_SP_SHIM_H
#define BAE_SP_SHIM_H
#ifdef __cplusplus
extern "C" {
#endif
/// Returns the library's major version; a link check.
int bae_sp_version(void);
#ifdef __cplusplus
}
#endif
#endif
