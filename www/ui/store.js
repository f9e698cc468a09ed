// The work kept across reloads, in IndexedDB; used by the worker (it owns the photos and the
// model, so the pixels never cross to the page to be kept). Three object stores:
//   photos  key: the core's photo id  value: { name, label, pixels } (the prepared 64x64 RGB bytes)
//   runs    key: auto                 value: a finished run's row of the runs table
//   meta    key: 'classes' | 'settings' | 'model'  (the class names, the form, the model file's JSON)
// Every change is one transaction (a batch of added photos, a removal, a relabel, a finished run
// with its model), so a crash or a full disk leaves the last whole change, never half of one.
//
// One tab writes. Two tabs each writing their own photos under the same ids would mix two
// pieces of work into one, so the worker that holds the Web Lock WRITER is the only one that
// writes; a second tab gets the lock only after the first has gone (it waits LOCK_WAIT_MS for
// it, which covers a reload, where the old page lets go as the new one starts), and until then
// it reads the kept work but keeps nothing, and says so. The lock is held until the worker ends.
// A newer version of the database opened by another tab fires `versionchange` here: this tab
// closes its connection (so the other is not blocked) and stops keeping; `blocked` while opening
// means an older tab still holds a connection and is a message.
//
// BroadcastChannel was the alternative: it would tell the other tab to hand over, but cannot
// stop two tabs from writing in between; a lock can.

const NAME = 'catdog';
const VERSION = 1;
const WRITER = 'catdog-kept-work';
const LOCK_WAIT_MS = 3000;

/** Opens the kept work. Resolves to { store, writer, problem }: `store` null when there is no
 * IndexedDB here or it could not be opened (`problem` says why), `writer` false when another
 * tab keeps the work. `notice(text)` is told later problems (another tab upgrading, a write
 * refused). */
export async function openStore(notice) {
  if (!self.indexedDB) return { store: null, writer: false, problem: 'this browser keeps no data for the page (no IndexedDB here)' };
  let db;
  try {
    db = await open(notice);
  } catch (err) {
    return { store: null, writer: false, problem: `the kept work could not be opened: ${describe(err)}` };
  }
  const store = new Store(db, notice);
  const writer = await becomeWriter();
  store.writer = writer;
  db.onversionchange = () => {
    db.close();
    store.closed = true;
    notice('A newer version of this page was opened in another tab: this one keeps nothing more. Reload it to go on keeping your work.');
  };
  return { store, writer, problem: null };
}

function open(notice) {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore('photos');
      db.createObjectStore('runs', { autoIncrement: true });
      db.createObjectStore('meta');
    };
    request.onblocked = () => notice('Another tab of this page holds the kept work open in an older version: close it to go on.');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

/** True once this worker holds the writer's lock (kept until it ends); false if another tab
 * still holds it after LOCK_WAIT_MS, or there are no locks here (then nothing is kept, as two
 * tabs could not be kept apart). */
async function becomeWriter() {
  if (!navigator.locks) return false;
  return new Promise((resolve) => {
    const signal = AbortSignal.timeout(LOCK_WAIT_MS);
    navigator.locks.request(WRITER, { signal }, () => {
      resolve(true);
      return new Promise(() => {});
    }).catch(() => resolve(false));
  });
}

/** An error's name and message, QuotaExceededError in the page's words. */
function describe(err) {
  if (err?.name === 'QuotaExceededError') return 'the browser\'s storage for this page is full';
  if (err?.name === 'VersionError') return 'it was kept by a newer version of this page (reload to get that version)';
  return (err?.message || err?.name || String(err)).replace(/\.$/, '');
}

/** Resolves when `tx` commits, rejects with its error when it aborts. */
function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new Error('the change was not kept'));
    tx.onerror = (event) => event.preventDefault();
  });
}

function result(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

class Store {
  constructor(db, notice) {
    this.db = db;
    this.notice = notice;
    this.writer = false;
    this.closed = false;
    /** Told after each change is kept (the page shows the storage used). */
    this.onKept = () => {};
  }

  /** Whether changes are kept here. */
  get keeping() {
    return this.writer && !this.closed;
  }

  /** Runs `fill(stores)` in one read-write transaction over `names`; a failure is a notice
   * (the change stays in the page, it is only not kept) unless `strict`, when it rejects. */
  async change(names, fill, { strict = false } = {}) {
    if (!this.keeping) {
      if (strict) throw new Error(this.closed ? 'a newer version of this page, in another tab, has the kept work' : 'another tab of this page keeps the work');
      return;
    }
    try {
      const tx = this.db.transaction(names, 'readwrite');
      fill(Object.fromEntries(names.map((n) => [n, tx.objectStore(n)])));
      await done(tx);
      this.onKept();
    } catch (err) {
      if (strict) throw new Error(describe(err));
      this.notice(`Your latest change is not kept: ${describe(err)}.`);
    }
  }

  /** Photos added ({ id, name, label, pixels }), in one transaction. */
  addPhotos(photos) {
    if (photos.length === 0) return undefined;
    return this.change(['photos'], ({ photos: store }) => {
      for (const { id, name, label, pixels } of photos) store.put({ name, label, pixels }, id);
    });
  }

  removePhoto(id) {
    return this.change(['photos'], ({ photos }) => photos.delete(id));
  }

  relabel(id, label) {
    return this.change(['photos'], ({ photos }) => {
      const get = photos.get(id);
      get.onsuccess = () => { if (get.result) photos.put({ ...get.result, label }, id); };
    });
  }

  /** A finished run's row and the model it left, together. */
  runFinished(row, modelJson) {
    return this.change(['runs', 'meta'], ({ runs, meta }) => {
      runs.add(row);
      meta.put(modelJson, 'model');
    });
  }

  putMeta(key, value) {
    return this.putMetas({ [key]: value });
  }

  /** Several meta keys in one transaction (the class names and the model they renamed). */
  putMetas(entries) {
    return this.change(['meta'], ({ meta }) => Object.entries(entries).forEach(([key, value]) => meta.put(value, key)));
  }

  /** Removes everything kept, in one transaction; rejects if it could not. */
  clear() {
    return this.change(['photos', 'runs', 'meta'], (stores) => Object.values(stores).forEach((s) => s.clear()), { strict: true });
  }

  /** Replaces everything kept with `photos` (ids from 0, in order) and `meta`, in one
   * transaction: the old work stays whole if this fails. */
  replace(photos, meta) {
    return this.change(['photos', 'runs', 'meta'], (stores) => {
      Object.values(stores).forEach((s) => s.clear());
      photos.forEach(({ name, label, pixels }, id) => stores.photos.put({ name, label, pixels }, id));
      for (const [key, value] of Object.entries(meta)) if (value !== undefined) stores.meta.put(value, key);
    }, { strict: true });
  }

  /** The class names, settings and model kept, and the runs in the order they finished. */
  async read() {
    const tx = this.db.transaction(['runs', 'meta'], 'readonly');
    const meta = tx.objectStore('meta');
    const [classes, settings, model, runs] = await Promise.all([
      result(meta.get('classes')), result(meta.get('settings')), result(meta.get('model')), result(tx.objectStore('runs').getAll()),
    ]);
    return { classes, settings, model, runs };
  }

  countPhotos() {
    return result(this.db.transaction('photos').objectStore('photos').count());
  }

  /** The kept photos ({ id, name, label, pixels }) in id order, `batch` at a time, each batch
   * read in its own short transaction so no more than a batch is held at once. */
  async *photos(batch) {
    let after = -1;
    for (;;) {
      const store = this.db.transaction('photos').objectStore('photos');
      const range = IDBKeyRange.lowerBound(after, true);
      const [keys, values] = await Promise.all([result(store.getAllKeys(range, batch)), result(store.getAll(range, batch))]);
      if (keys.length === 0) return;
      yield keys.map((id, k) => ({ id, ...values[k] }));
      after = keys[keys.length - 1];
    }
  }
}
