;;; drive.el --- act as a user in a batch Emacs whose init file is the README's snippet  -*- lexical-binding: t -*-
;; The test loads the snippet (verbatim) before this file. This file only does what Emacs and the user
;; would: activate the installed packages, visit the agent file, let the command loop run, and record
;; what happened as JSON in $RESULT_FILE.
(require 'json)
(package-initialize)  ; what an interactive start does before the init file (Debian's elpa-* packages)
(require 'markdown-mode)
(require 'eglot)
(require 'flymake)

(defvar drive-result (list (cons 'error nil)))
(defun drive-put (key value) (push (cons key value) drive-result))
(defun drive-wait (predicate seconds)
  (let ((deadline (+ (float-time) seconds)))
    (while (and (not (funcall predicate)) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (funcall predicate)))

(condition-case err
    (progn
      (find-file (getenv "AGENT_FILE"))
      (drive-put 'mode (symbol-name major-mode))
      (run-hooks 'post-command-hook)  ; the command loop: `eglot-ensure' connects from there
      (drive-wait (lambda () (eglot-current-server)) 30)
      (drive-put 'managed (if (eglot-current-server) t :json-false))
      (drive-wait (lambda () (flymake-diagnostics)) 30)
      (drive-put 'diagnostics
                 (vconcat (mapcar (lambda (d)
                                    (save-excursion
                                      (goto-char (flymake-diagnostic-beg d))
                                      (list (cons 'line (line-number-at-pos))
                                            (cons 'column (current-column))
                                            (cons 'text (flymake-diagnostic-text d)))))
                                  (flymake-diagnostics))))
      (goto-char (point-min))
      (forward-line 4)
      (forward-char 2)
      (let ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                    (eglot--TextDocumentPositionParams))))
        (drive-put 'hover (plist-get (plist-get hover :contents) :value)))
      (goto-char (point-min))
      (forward-line 4)
      (delete-region (point) (line-end-position))
      (insert "color: blue")
      (run-hooks 'post-command-hook)
      (drive-wait (lambda () (null (flymake-diagnostics))) 30)
      (drive-put 'after_edit (length (flymake-diagnostics))))
  (error (drive-put 'error (format "%S" err))))

(with-temp-file (getenv "RESULT_FILE") (insert (json-encode drive-result)))
(kill-emacs 0)
