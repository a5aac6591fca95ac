"""The window chain in numpy/scipy, vectorised across windows: the same work as WindowAnalyzer
(features, one-segment Hann PSD and velocity RMS, spectral-kurtosis band from 256-sample frames,
band-limited Hilbert envelope, envelope spectrum, fault-family line search).
Usage: python3 pm_chain.py FILE.f32 RATE WINDOWS"""
import sys, time
import numpy as np
import scipy.signal, scipy.stats

path, rate, windows = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
x = np.fromfile(path, dtype=np.float32)
frame, hop = 4096, 2048
starts = (np.arange(windows) * hop) % (len(x) - frame)
best = float("inf")
for _ in range(3):
    t0 = time.perf_counter()
    w = np.stack([x[s:s + frame] for s in starts]).astype(np.float64)
    # Features.
    mean = w.mean(axis=1); a = np.abs(w); rms = np.sqrt((w ** 2).mean(axis=1)); peak = a.max(axis=1)
    kurt = scipy.stats.kurtosis(w, axis=1, fisher=False); skew = scipy.stats.skew(w, axis=1)
    feats = [mean, w.std(axis=1), rms, peak, np.ptp(w, axis=1), peak / rms, kurt, skew,
             rms / a.mean(axis=1), peak / a.mean(axis=1), peak / np.mean(np.sqrt(a), axis=1) ** 2]
    # PSD and velocity RMS, 10-1000 Hz.
    f, psd = scipy.signal.welch(w, fs=rate, window="hann", nperseg=frame, axis=1)
    band = (f >= 10) & (f <= 1000)
    velocity = np.sqrt(np.sum(psd[:, band] / (2 * np.pi * f[band]) ** 2, axis=1) * (f[1] - f[0])) * 9.80665 * 1000
    # Spectral kurtosis per bin over 256-sample frames, 50 % overlap.
    _, _, z = scipy.signal.stft(w, fs=rate, window="hann", nperseg=256, noverlap=128, axis=1, boundary=None, padded=False)
    p2 = np.abs(z) ** 2
    sk = z.shape[2] * np.sum(p2 ** 2, axis=2) / np.sum(p2, axis=2) ** 2 - 2
    first = int(1000 / (rate / 256))
    centre = first + np.argmax(sk[:, first:-1], axis=1)
    low = np.maximum(centre * rate / 256 - rate / 128, rate / 256); high = np.minimum(centre * rate / 256 + rate / 128, rate / 2 - rate / 256)
    # Band-limited analytic signal through the FFT; envelope; its Hann amplitude spectrum.
    spectrum = np.fft.fft(w, axis=1)
    freqs = np.fft.fftfreq(frame, 1 / rate)
    mask = (freqs[None, :] >= low[:, None]) & (freqs[None, :] <= high[:, None])
    envelope = np.abs(np.fft.ifft(spectrum * mask * 2, axis=1))
    hann = scipy.signal.get_window("hann", frame)
    es = np.abs(np.fft.rfft((envelope - envelope.mean(axis=1, keepdims=True)) * hann, axis=1)) * 2 / hann.sum()
    # Fault families: strongest bin near each predicted line, over the median.
    res = rate / frame
    median = np.median(es[:, 1:int(1000 / res)], axis=1)
    score = 0
    for fundamental in (81.125, 118.875, 63.9, 10.14):
        for h in (1, 2, 3):
            k = int(round(h * fundamental / res))
            score = score + es[:, max(1, k - 2):k + 3].max(axis=1) / median
    elapsed = time.perf_counter() - t0
    best = min(best, elapsed)
checksum = float(np.sum(velocity) + np.sum(kurt) + np.sum(score))
print(f"numpy_chain windows={windows} us_per_window={best / windows * 1e6} ns_per_sample={best / (windows * hop) * 1e9} checksum={checksum}")
