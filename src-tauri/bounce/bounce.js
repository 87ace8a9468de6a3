// Forwards the provider's redirect to the Casebridge app. Only the parameters a sign-in answer
// carries are passed on; anything else in the URL is dropped.
'use strict';

(function () {
  var FORWARDED = ['code', 'state', 'realmId', 'location', 'accounts-server', 'error', 'error_description'];
  var incoming = new URLSearchParams(window.location.search);
  var outgoing = new URLSearchParams();
  FORWARDED.forEach(function (name) {
    var value = incoming.get(name);
    if (value !== null) outgoing.set(name, value);
  });
  // The code should not stay in the address bar or the history once it has been handed on.
  if (window.history && window.history.replaceState) {
    window.history.replaceState(null, '', window.location.pathname);
  }
  var status = document.getElementById('status');
  var link = document.getElementById('open');
  if (!outgoing.has('state') || !(outgoing.has('code') || outgoing.has('error'))) {
    status.textContent = 'This page only finishes a sign-in started in Casebridge. Start it again from the app.';
    return;
  }
  var target = 'casebridge://oauth/callback?' + outgoing.toString();
  link.href = target;
  link.hidden = false;
  if (outgoing.has('error')) {
    status.textContent = 'The sign-in was not completed (' + outgoing.get('error') + '). Casebridge will say what to do.';
  }
  window.location.href = target;
})();
