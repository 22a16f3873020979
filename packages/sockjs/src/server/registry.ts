/**
 * Counts open sessions in total and per remote address, so admission can refuse past the limits
 * before any session state is made.
 */
export class SessionCounter {
  readonly #perAddress = new Map<string, number>();
  #total = 0;
  readonly #maxTotal: number;
  readonly #maxPerAddress: number;

  constructor(maxTotal: number, maxPerAddress: number) {
    this.#maxTotal = maxTotal;
    this.#maxPerAddress = maxPerAddress;
  }

  get total(): number {
    return this.#total;
  }

  /** Takes a place for `address`, or returns false when a limit is reached. */
  take(address: string): boolean {
    const count = this.#perAddress.get(address) ?? 0;
    if (this.#total >= this.#maxTotal || count >= this.#maxPerAddress) return false;
    this.#perAddress.set(address, count + 1);
    this.#total++;
    return true;
  }

  release(address: string): void {
    const count = this.#perAddress.get(address) ?? 0;
    if (count <= 1) this.#perAddress.delete(address);
    else this.#perAddress.set(address, count - 1);
    this.#total--;
  }
}
