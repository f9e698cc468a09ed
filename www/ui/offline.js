// Offline use: registers the service worker (sw.js, which keeps this build's files on the device)
// and says so in the footer once it controls the page; a newer build that is waiting to take over
// (sw.js explains why it waits) is mentioned too. Nothing is shown where service workers are not
// offered (plain http other than localhost).
const line = document.createElement('p');
line.id = 'offline';
line.dataset.testid = 'offline';
line.hidden = true;
document.querySelector('footer').append(line);

function say(text) {
  line.textContent = text;
  line.hidden = false;
}

function watch(registration) {
  const controlled = () => navigator.serviceWorker.controller && say('Works offline: this page and the classifier are kept on this device.');
  const waiting = () => registration.waiting && navigator.serviceWorker.controller
    && say('A new version is ready: it opens the next time catdog is opened, once every catdog tab is closed.');
  controlled();
  waiting();
  navigator.serviceWorker.addEventListener('controllerchange', controlled);
  registration.addEventListener('updatefound', () => {
    registration.installing?.addEventListener('statechange', waiting);
  });
}

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register(new URL('../sw.js', import.meta.url))
    .then(watch)
    .catch((err) => say(`Not available offline: ${err.message}`));
}
