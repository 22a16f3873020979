/** Runs app code: an error it throws must not stop the session (or a peer), so it is rethrown as an uncaught error. */
export const guarded = (run: () => void): void => {
  try {
    run();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
};
