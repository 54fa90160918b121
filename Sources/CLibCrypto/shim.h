// OpenSSL's libcrypto (Debian libssl-dev): only the EVP digest interface is used.
#include <openssl/evp.h>
