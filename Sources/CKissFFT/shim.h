// KissFFT (Debian libkissfft-dev, BSD-3-Clause), single precision: real and complex transforms.
#include <kissfft/kiss_fft.h>
#include <kissfft/kiss_fftr.h>
